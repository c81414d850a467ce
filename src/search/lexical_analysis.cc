#include "search/lexical_analysis.h"

#include <algorithm>

namespace attest::search::lexical {
namespace {

constexpr size_t kNameKeyCacheSize = 1 << 18;

}  // namespace

void Analysis::TrimCache() {
  if (name_keys.size() >= kNameKeyCacheSize) name_keys.clear();
  for (auto& words : words_by_lang) {
    if (words.size() >= kNameKeyCacheSize / 4) words.clear();
  }
}

void Analysis::QueryForms(const text::Token& token, std::set<std::string>* plain,
                          std::set<std::string>* stems) {
  for (text::Lang l : kQueryLangs) {
    for (const text::Term& t : For(l)->AnalyzeToken(token)) {
      if (t.kind != text::TermKind::kStem) {
        plain->insert(t.text);
      } else if (stems) {
        stems->insert(kStem + t.text);
      }
    }
  }
}

const std::vector<std::vector<std::string>>& Analysis::NameKeySeqs(
    const std::vector<std::string>& n) {
  if (n != names) {
    names = n;
    name_key_seqs.clear();
    std::set<std::vector<std::string>> seen;
    for (const auto& name : names) {
      auto keys = text::NameKeys(name);
      if (!keys.empty() && seen.insert(keys).second) name_key_seqs.push_back(keys);
    }
    // Longest first, so "Kfar Aza" wins over "Aza" where both are names.
    std::stable_sort(name_key_seqs.begin(), name_key_seqs.end(),
                     [](const auto& a, const auto& b) { return a.size() > b.size(); });
  }
  return name_key_seqs;
}

}  // namespace attest::search::lexical

// Bilingual dictionaries for query translation without a model (doc/search.md, "Query
// translation"): Debian's FreeDict files in dictd format, read directly and held in memory.
// Thread-safe once loaded (lookups are const).
#ifndef ATTEST_TEXT_DICTIONARY_H_
#define ATTEST_TEXT_DICTIONARY_H_

#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "core/status.h"
#include "text/analyzer.h"

namespace attest::text {

class Dictionary {
 public:
  // Reads `index_path` (.index) and `dict_path` (.dict.dz, or an uncompressed .dict). `from`
  // is the headwords' language. kNotFound if a file is missing, kCorruption (naming the file
  // and line) if it is not dictd's format.
  static Result<std::unique_ptr<Dictionary>> Load(const std::string& index_path,
                                                  const std::string& dict_path, Lang from, Lang to);
  // Debian's FreeDict pair from `from` to `to` under /usr/share/dictd (or `dir`); kNotFound if
  // it is not installed (Hebrew has none).
  static Result<std::unique_ptr<Dictionary>> FreeDict(Lang from, Lang to,
                                                      const std::string& dir = "/usr/share/dictd");

  Lang from() const { return from_; }
  Lang to() const { return to_; }
  size_t size() const { return entries_.size(); }

  // The translations of `word` (any case, Arabic with or without its marks), in the
  // dictionary's order, without repeats; empty if it has none.
  std::vector<std::string> Translate(std::string_view word) const;

  // The form words are looked up by in language `lang`: lower case; Arabic folded
  // (FoldArabic).
  static std::string Key(std::string_view word, Lang lang);

 private:
  Dictionary(Lang from, Lang to) : from_(from), to_(to) {}
  Lang from_, to_;
  std::unordered_map<std::string, std::vector<std::string>> entries_;
};

}  // namespace attest::text

#endif  // ATTEST_TEXT_DICTIONARY_H_

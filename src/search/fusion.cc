#include "search/fusion.h"

#include <algorithm>
#include <map>
#include <unordered_map>

namespace attest::search {

std::vector<std::pair<int64_t, double>> FuseRanks(const std::vector<RankedList>& lists, double k) {
  std::unordered_map<int64_t, size_t> at;
  std::vector<std::pair<int64_t, double>> out;
  // Met in the order of rank across the lists, so ties keep the better rank first.
  size_t longest = 0;
  for (const auto& l : lists) longest = std::max(longest, l.ids.size());
  for (size_t rank = 0; rank < longest; ++rank) {
    for (const auto& l : lists) {
      if (rank >= l.ids.size()) continue;
      int64_t id = l.ids[rank];
      auto [it, fresh] = at.emplace(id, out.size());
      if (fresh) out.emplace_back(id, 0.0);
      out[it->second].second += l.weight / (k + static_cast<double>(rank + 1));
    }
  }
  std::stable_sort(out.begin(), out.end(),
                   [](const auto& a, const auto& b) { return a.second > b.second; });
  return out;
}

std::vector<size_t> Diversify(const std::vector<Voice>& voices, const DiversifyOptions& options) {
  // Each witness's best passage.
  std::vector<size_t> pool;
  std::map<std::string, size_t> best;
  for (size_t i = 0; i < voices.size(); ++i) {
    auto it = best.find(voices[i].witness);
    if (it == best.end()) {
      best.emplace(voices[i].witness, i);
      pool.push_back(i);
    } else if (voices[i].relevance > voices[it->second].relevance) {
      *std::find(pool.begin(), pool.end(), it->second) = i;
      it->second = i;
    }
  }
  double top = 0;
  for (size_t i : pool) top = std::max(top, voices[i].relevance);
  if (top <= 0) top = 1;
  const double lambda = options.differ ? std::min(options.lambda, 0.4) : options.lambda;
  auto likeness = [&](size_t a, size_t b) {
    const Voice& x = voices[a];
    const Voice& y = voices[b];
    double who =
        0.5 * (x.lang == y.lang) + 0.5 * (!x.community.empty() && x.community == y.community);
    if (!options.content) return who;
    double said = std::clamp(options.content(a, b), 0.0, 1.0);
    return options.differ ? 0.25 * who + 0.75 * said : 0.75 * who + 0.25 * said;
  };
  std::vector<size_t> chosen;
  std::vector<double> nearest(voices.size(), 0.0);  // greatest likeness to one chosen
  while (chosen.size() < options.limit && !pool.empty()) {
    size_t pick = 0;
    double pick_score = -1e300;
    for (size_t p = 0; p < pool.size(); ++p) {
      size_t i = pool[p];
      double score = lambda * voices[i].relevance / top - (1 - lambda) * nearest[i];
      if (score > pick_score) {
        pick_score = score;
        pick = p;
      }
    }
    size_t i = pool[pick];
    chosen.push_back(i);
    pool.erase(pool.begin() + static_cast<std::ptrdiff_t>(pick));
    for (size_t j : pool) nearest[j] = std::max(nearest[j], likeness(i, j));
  }
  return chosen;
}

}  // namespace attest::search

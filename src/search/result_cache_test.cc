#include "search/result_cache.h"

#include <gtest/gtest.h>

#include <set>

namespace attest::search {
namespace {

Results Page(const std::string& record, size_t snippet_bytes = 10) {
  Results r;
  r.total_estimate = 1;
  RecordHits g;
  g.record_id = record;
  Hit h;
  h.snippet = std::string(snippet_bytes, 'x');
  g.hits.push_back(h);
  r.records.push_back(g);
  return r;
}

SearchRequest Request(const std::string& q) {
  SearchRequest r;
  r.query = q;
  return r;
}

TEST(ResultCacheTest, EveryFieldOfARequestIsPartOfItsKey) {
  const std::string base = CacheKey(Request("dignity"));
  EXPECT_EQ(CacheKey(Request("dignity")), base);
  std::vector<SearchRequest> others(7, Request("dignity"));
  others[0].query = "dignité";
  others[1].role = Role::kResearcher;
  others[2].limit = 11;
  others[3].cursor = "10-abc";
  others[4].per_record = 1;
  others[5].exact_counts = true;
  others[6].names = {"Kfar Aza"};
  std::set<std::string> keys = {base};
  for (const auto& o : others) keys.insert(CacheKey(o));
  EXPECT_EQ(keys.size(), 8u);
  // Fields cannot run into each other: ("ab", cursor "") differs from ("a", cursor "b").
  SearchRequest a = Request("ab"), b = Request("a");
  b.cursor = "b";
  EXPECT_NE(CacheKey(a), CacheKey(b));
}

TEST(ResultCacheTest, APageIsFoundUnderItsKeyAndStateOnly) {
  ResultCache cache(1 << 20);
  EXPECT_FALSE(cache.Find("s1", "k").has_value());
  cache.Add("s1", "k", Page("r1"));
  auto found = cache.Find("s1", "k");
  ASSERT_TRUE(found.has_value());
  EXPECT_EQ(found->records[0].record_id, "r1");
  EXPECT_FALSE(cache.Find("s1", "other").has_value());
  EXPECT_EQ(cache.stats().hits, 1u);
  EXPECT_EQ(cache.stats().misses, 2u);
}

TEST(ResultCacheTest, ANewIndexStateDropsEveryPage) {
  ResultCache cache(1 << 20);
  EXPECT_FALSE(cache.Find("s1", "k").has_value());  // a search looks before it adds
  cache.Add("s1", "k", Page("r1"));
  cache.Add("s1", "j", Page("r2"));
  EXPECT_EQ(cache.stats().pages, 2u);
  EXPECT_FALSE(cache.Find("s2", "k").has_value());  // the index changed
  EXPECT_EQ(cache.stats().pages, 0u);
  EXPECT_EQ(cache.stats().bytes, 0u);
  // A page computed at the old state, added late, is not kept.
  cache.Add("s1", "k", Page("r1"));
  EXPECT_EQ(cache.stats().pages, 0u);
}

TEST(ResultCacheTest, TheLeastRecentlyUsedPagesGoFirstWhenFull) {
  const size_t page = ResultCache::Bytes(Page("r0", 1000));
  ResultCache cache(3 * page);
  EXPECT_FALSE(cache.Find("s", "a").has_value());
  cache.Add("s", "a", Page("r0", 1000));
  cache.Add("s", "b", Page("r0", 1000));
  cache.Add("s", "c", Page("r0", 1000));
  EXPECT_TRUE(cache.Find("s", "a").has_value());  // a is now the most recent
  cache.Add("s", "d", Page("r0", 1000));          // b goes
  EXPECT_TRUE(cache.Find("s", "a").has_value());
  EXPECT_FALSE(cache.Find("s", "b").has_value());
  EXPECT_TRUE(cache.Find("s", "c").has_value());
  EXPECT_TRUE(cache.Find("s", "d").has_value());
  EXPECT_LE(cache.stats().bytes, 3 * page);
  cache.Add("s", "huge", Page("r0", 10 * page));  // bigger than the cache: not kept
  EXPECT_FALSE(cache.Find("s", "huge").has_value());
  EXPECT_TRUE(cache.Find("s", "d").has_value());
}

}  // namespace
}  // namespace attest::search

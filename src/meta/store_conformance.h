// The behaviour every meta::Store backend must show: a value-parameterised GoogleTest suite
// (store_conformance.cc) written against store.h alone. A backend runs it by giving a factory
// of its StoreBackend, in one line of its own test:
//
//   INSTANTIATE_TEST_SUITE_P(Sqlite, StoreConformanceTest,
//                            ::testing::Values(StoreBackendFactory{"sqlite", &NewSqliteBackend}));
//
// and linking the suite into that test program (DEPS attest_meta_conformance, an object library
// of src/meta/CMakeLists.txt).
#ifndef ATTEST_META_STORE_CONFORMANCE_H_
#define ATTEST_META_STORE_CONFORMANCE_H_

#include <gtest/gtest.h>

#include <cstdint>
#include <functional>
#include <memory>
#include <ostream>
#include <string>
#include <vector>

#include "core/status.h"
#include "meta/store.h"

namespace attest::meta {

// One test's store, in a place of its own (a directory, a database) that the backend removes
// when it is destroyed. What the suite cannot do through the interface (make a store of an
// old schema, change a row behind the store's back) it asks of this. Not thread-safe.
class StoreBackend {
 public:
  virtual ~StoreBackend() = default;
  // A handle on the test's store: the first call creates it (empty, at the newest schema
  // unless MakeAtSchema made it first); each later call opens the same store again, as another
  // process would.
  virtual Result<std::unique_ptr<Store>> Open() = 0;
  // The schema version the test's store is at, read from the backend's own storage.
  virtual Result<int> SchemaVersion() = 0;
  // Makes the test's store as this attest's migrations 1 to `version` leave it, empty.
  // REQUIRES: before the first Open.
  virtual Status MakeAtSchema(int version) = 0;
  // Marks the test's store as being at schema `version` (a newer attest's).
  virtual Status SetSchemaVersion(int version) = 0;
  // Sets field `field` (id, at, actor, action, target, detail, prev_hash or hash) of audit
  // entry `id` to `value`, behind the store's back.
  virtual Status TamperAudit(int64_t id, const std::string& field, const std::string& value) = 0;
};

// Test data every part of the suite uses.
inline constexpr char kT0[] = "2026-01-01T00:00:00Z";
inline constexpr char kT1[] = "2026-01-01T00:01:00Z";
// A new public record `id` of collection c1 by `witness` (none if empty), salt 32 's', whose
// first version has the original blob `sha`, private JSON {"file_name":"x.txt"} and a leaf
// "leaf for ID vN at INDEX".
AddRequest NewRecord(const std::string& id, const std::string& sha, const std::string& witness);
// `r` with `jobs` scheduled on its version.
AddRequest WithJobs(AddRequest r, std::vector<NewJob> jobs);
// `r` with `segments` as its version's text.
AddRequest WithSegments(AddRequest r, std::vector<Segment> segments);
// A version of record `id` derived from version 1 with derivation key `key`.
AddRequest Derived(const std::string& id, const std::string& key);
// A segment with `text`, characters [from, to) of its version's text.
Segment TextSegment(const std::string& text, int64_t from, int64_t to);
// A leaf_for of Withdraw and ChangeConsent that states `what`, or fails when `what` is empty.
std::function<Result<std::string>(int)> WithdrawLeaf(const std::string& what);
std::function<Result<std::string>(int, const std::string&)> ConsentLeaf(const std::string& what);

// A backend's name (in the tests' names) and the function that makes its StoreBackend.
struct StoreBackendFactory {
  const char* name;
  std::unique_ptr<StoreBackend> (*make)();
};
inline void PrintTo(const StoreBackendFactory& f, std::ostream* os) { *os << f.name; }

class StoreConformanceTest : public ::testing::TestWithParam<StoreBackendFactory> {
 protected:
  void SetUp() override;
  void TearDown() override;

  std::unique_ptr<StoreBackend> backend_;
  std::unique_ptr<Store> store_;  // backend_'s first Open
};

}  // namespace attest::meta

#endif  // ATTEST_META_STORE_CONFORMANCE_H_

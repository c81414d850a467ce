// For tests and benchmarks only: the stores and the log behind an Archive's parts, to set up
// states no interface makes (damage, an older archive's rows) and to look at what was written.
// Never for src/cli, src/http, src/ingest or src/service, which go through the parts.
#ifndef ATTEST_ARCHIVE_TESTING_H_
#define ATTEST_ARCHIVE_TESTING_H_

#include "archive/archive.h"
#include "archive/record_keys.h"
#include "blob/blob_store.h"
#include "meta/store.h"
#include "tlog/log.h"

namespace attest::archive {

struct ArchiveTesting {
  static meta::Store* Store(Archive* a);
  static blob::FsBlobStore* Blobs(Archive* a);
  static tlog::Log* Log(Archive* a);
  static RecordKeys* Keys(Archive* a);
};

inline meta::Store* StoreForTesting(Archive* a) { return ArchiveTesting::Store(a); }
inline blob::FsBlobStore* BlobsForTesting(Archive* a) { return ArchiveTesting::Blobs(a); }
inline tlog::Log* LogForTesting(Archive* a) { return ArchiveTesting::Log(a); }
inline RecordKeys* RecordKeysForTesting(Archive* a) { return ArchiveTesting::Keys(a); }

}  // namespace attest::archive

#endif  // ATTEST_ARCHIVE_TESTING_H_

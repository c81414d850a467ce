#include "archive/testing.h"

#include "archive/internal.h"

namespace attest::archive {

meta::Store* ArchiveTesting::Store(Archive* a) { return a->in_->store.get(); }
blob::FsBlobStore* ArchiveTesting::Blobs(Archive* a) { return a->in_->blobs.get(); }
tlog::Log* ArchiveTesting::Log(Archive* a) { return a->in_->log.get(); }
RecordKeys* ArchiveTesting::Keys(Archive* a) { return a->in_->record_keys.get(); }

}  // namespace attest::archive

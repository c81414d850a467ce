// What `attest add` tells the person who added a file, before any job has run (doc/ingest.md):
// a name that says one kind of file and bytes that say another. Not thread-safe: uses the
// Archive it is given.
#ifndef ATTEST_INGEST_ADD_NOTE_H_
#define ATTEST_INGEST_ADD_NOTE_H_

#include <string>

#include "archive/archive.h"

namespace attest::ingest {

// The note for a file just stored (ingest::NameNote of its first bytes, read from the blob
// store), or "" if there is nothing to say. Never an error of the file's: a note is not a
// failure.
Result<std::string> AddedFileNote(archive::Archive* archive, const archive::Added& added);

// The first `max` bytes of a stored file (all of it if shorter), for sniffing its kind.
Result<std::string> BlobHead(archive::Archive* archive, const std::string& sha256,
                             size_t max = 4096);

}  // namespace attest::ingest

#endif  // ATTEST_INGEST_ADD_NOTE_H_

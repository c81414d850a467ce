#include "ingest/add_note.h"

#include "core/env.h"
#include "ingest/sniff.h"

namespace attest::ingest {

Result<std::string> BlobHead(archive::Archive* archive, const std::string& sha256, size_t max) {
  ASSIGN_OR_RETURN(auto f, archive->records().OpenBlob(sha256));
  std::string head(max, '\0');
  size_t got = 0;
  while (got < head.size()) {
    ASSIGN_OR_RETURN(size_t n, f->Read(head.size() - got, head.data() + got));
    if (n == 0) break;
    got += n;
  }
  head.resize(got);
  return head;
}

Result<std::string> AddedFileNote(archive::Archive* archive, const archive::Added& added) {
  ASSIGN_OR_RETURN(std::string head, BlobHead(archive, added.sha256));
  std::string name = BaseName(added.file);
  return NameNote(Sniff(head, name, added.size), name);
}

}  // namespace attest::ingest

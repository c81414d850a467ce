#include "ingest/add_note.h"

#include "core/env.h"
#include "ingest/sniff.h"

namespace attest::ingest {

Result<std::string> AddedFileNote(archive::Archive* archive, const archive::Added& added) {
  ASSIGN_OR_RETURN(auto f, archive->blobs()->Open(added.sha256));
  std::string head(4096, '\0');
  size_t got = 0;
  while (got < head.size()) {
    ASSIGN_OR_RETURN(size_t n, f->Read(head.size() - got, head.data() + got));
    if (n == 0) break;
    got += n;
  }
  head.resize(got);
  std::string name = BaseName(added.file);
  return NameNote(Sniff(head, name, added.size), name);
}

}  // namespace attest::ingest

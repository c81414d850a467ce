// What kind of file an original is, from its first bytes (and its name where the bytes are
// ambiguous: a .docx and an .odt are both ZIP files). Thread-safe: pure.
#ifndef ATTEST_INGEST_SNIFF_H_
#define ATTEST_INGEST_SNIFF_H_

#include <string>
#include <string_view>

namespace attest::ingest {

enum class FileKind {
  kEmpty,
  kText,  // plain text or Markdown, in any encoding attest reads (text_extract.h)
  kPdf,
  kPng,
  kJpeg,
  kTiff,
  kDocx,
  kOdt,
  kAudio,
  kVideo,
  kUnknown,
};

const char* FileKindName(FileKind k);

struct Sniffed {
  FileKind kind = FileKind::kUnknown;
  std::string why;  // for kUnknown: what the file looks like, for the job's outcome
  // kUnknown, but named as a kind attest reads (a .pdf without a PDF header): a failure,
  // where an unknown kind of file is not.
  bool misnamed = false;
};

// `head`: the file's first bytes (4 KiB is enough); `name`: its file name; `size`: its size.
Sniffed Sniff(std::string_view head, std::string_view name, uint64_t size);

// What to tell the person who added a file whose name says one kind and whose bytes another
// that attest reads (content decides): "x.mp3 holds text, not audio: stored as a text record".
// "" when the name agrees, says nothing attest knows, or the bytes are of no kind attest reads
// (those are reported by the extract job).
std::string NameNote(const Sniffed& sniffed, std::string_view name);

}  // namespace attest::ingest

#endif  // ATTEST_INGEST_SNIFF_H_

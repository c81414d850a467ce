#include "ingest/sniff.h"

#include <algorithm>
#include <cstdio>

#include "ingest/text_extract.h"

namespace attest::ingest {
namespace {

bool Starts(std::string_view s, std::string_view prefix) {
  return s.size() >= prefix.size() && s.substr(0, prefix.size()) == prefix;
}

std::string Extension(std::string_view name) {
  auto dot = name.rfind('.');
  auto slash = name.rfind('/');
  if (dot == std::string_view::npos || (slash != std::string_view::npos && dot < slash)) return "";
  std::string ext(name.substr(dot + 1));
  std::transform(ext.begin(), ext.end(), ext.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return ext;
}

// Text: no NUL bytes (unless UTF-16, which has a BOM or NULs in every other byte and is told
// apart by text_extract), and few control characters.
bool LooksLikeText(std::string_view head) {
  if (Starts(head, "\xFF\xFE") || Starts(head, "\xFE\xFF")) return true;
  if (Utf16Pattern(head.substr(0, head.size() & ~size_t{1})) != nullptr) return true;
  size_t nul_even = 0, nul_odd = 0, control = 0;
  for (size_t i = 0; i < head.size(); ++i) {
    unsigned char c = static_cast<unsigned char>(head[i]);
    if (c == 0)
      (i % 2 ? nul_odd : nul_even)++;
    else if (c < 0x20 && c != '\n' && c != '\r' && c != '\t' && c != '\f')
      ++control;
  }
  size_t half = head.size() / 2;
  bool utf16_latin = half > 0 && (nul_odd * 10 >= half * 7 || nul_even * 10 >= half * 7) &&
                     (nul_odd == 0 || nul_even == 0);
  if (utf16_latin) return true;
  return nul_even + nul_odd == 0 && control * 100 <= head.size();
}

std::string Hex(std::string_view head) {
  std::string out;
  for (size_t i = 0; i < std::min<size_t>(head.size(), 8); ++i) {
    char b[4];
    std::snprintf(b, sizeof b, "%02X", static_cast<unsigned char>(head[i]));
    out += (i ? " " : "") + std::string(b);
  }
  return out;
}

// What a kind of file holds, and the record it is stored as, in the words of a note.
struct KindWords {
  const char* holds;
  const char* record;
};

KindWords Words(FileKind k) {
  switch (k) {
    case FileKind::kText:
      return {"text", "a text record"};
    case FileKind::kPdf:
      return {"a PDF", "a PDF record"};
    case FileKind::kPng:
    case FileKind::kJpeg:
    case FileKind::kTiff:
      return {"an image", "an image record"};
    case FileKind::kDocx:
    case FileKind::kOdt:
      return {"a document", "a document record"};
    case FileKind::kAudio:
      return {"audio", "an audio record"};
    case FileKind::kVideo:
      return {"video", "a video record"};
    case FileKind::kEmpty:
    case FileKind::kUnknown:
      break;
  }
  return {"", ""};
}

// The kind a file's extension claims (kUnknown: it claims none attest knows). Audio and video
// are one claim: an .mp4 of sound alone is no surprise.
FileKind Claimed(const std::string& ext) {
  static const std::pair<const char*, FileKind> kClaims[] = {
      {"txt", FileKind::kText},  {"md", FileKind::kText},    {"pdf", FileKind::kPdf},
      {"png", FileKind::kPng},   {"jpg", FileKind::kPng},    {"jpeg", FileKind::kPng},
      {"tif", FileKind::kPng},   {"tiff", FileKind::kPng},   {"docx", FileKind::kDocx},
      {"odt", FileKind::kDocx},  {"mp3", FileKind::kAudio},  {"wav", FileKind::kAudio},
      {"m4a", FileKind::kAudio}, {"aac", FileKind::kAudio},  {"flac", FileKind::kAudio},
      {"ogg", FileKind::kAudio}, {"opus", FileKind::kAudio}, {"amr", FileKind::kAudio},
      {"wma", FileKind::kAudio}, {"aiff", FileKind::kAudio}, {"mp4", FileKind::kVideo},
      {"mov", FileKind::kVideo}, {"mkv", FileKind::kVideo},  {"webm", FileKind::kVideo},
      {"avi", FileKind::kVideo}, {"wmv", FileKind::kVideo},  {"3gp", FileKind::kVideo},
  };
  for (const auto& [e, k] : kClaims) {
    if (ext == e) return k;
  }
  return FileKind::kUnknown;
}

// Kinds told apart by a name's claim; images, documents and recordings each count as one.
int Family(FileKind k) {
  switch (k) {
    case FileKind::kPng:
    case FileKind::kJpeg:
    case FileKind::kTiff:
      return 1;
    case FileKind::kDocx:
    case FileKind::kOdt:
      return 2;
    case FileKind::kAudio:
    case FileKind::kVideo:
      return 3;
    default:
      return 10 + static_cast<int>(k);
  }
}

}  // namespace

std::string NameNote(const Sniffed& sniffed, std::string_view name) {
  FileKind claimed = Claimed(Extension(name));
  if (claimed == FileKind::kUnknown || sniffed.kind == FileKind::kEmpty ||
      sniffed.kind == FileKind::kUnknown || Family(claimed) == Family(sniffed.kind)) {
    return "";
  }
  auto slash = name.rfind('/');
  std::string base(slash == std::string_view::npos ? name : name.substr(slash + 1));
  KindWords is = Words(sniffed.kind);
  return base + " holds " + is.holds + ", not " + Words(claimed).holds + ": stored as " + is.record;
}

const char* FileKindName(FileKind k) {
  switch (k) {
    case FileKind::kEmpty:
      return "empty";
    case FileKind::kText:
      return "text";
    case FileKind::kPdf:
      return "pdf";
    case FileKind::kPng:
      return "png";
    case FileKind::kJpeg:
      return "jpeg";
    case FileKind::kTiff:
      return "tiff";
    case FileKind::kDocx:
      return "docx";
    case FileKind::kOdt:
      return "odt";
    case FileKind::kAudio:
      return "audio";
    case FileKind::kVideo:
      return "video";
    case FileKind::kUnknown:
      return "unknown";
  }
  return "unknown";
}

Sniffed Sniff(std::string_view head, std::string_view name, uint64_t size) {
  std::string ext = Extension(name);
  if (size == 0) return {FileKind::kEmpty, "the file is empty (0 bytes)"};
  if (Starts(head, "%PDF-")) return {FileKind::kPdf, ""};
  if (Starts(head, "\x89PNG\r\n\x1a\n")) return {FileKind::kPng, ""};
  if (Starts(head, "\xFF\xD8\xFF")) return {FileKind::kJpeg, ""};
  if (Starts(head, std::string_view("II*\0", 4)) || Starts(head, std::string_view("MM\0*", 4))) {
    return {FileKind::kTiff, ""};
  }
  if (Starts(head, "PK\x03\x04")) {
    // An OpenDocument file starts with its uncompressed "mimetype" member.
    if (head.find("application/vnd.oasis.opendocument.text") != std::string_view::npos ||
        ext == "odt") {
      return {FileKind::kOdt, ""};
    }
    if (ext == "docx" || head.find("word/") != std::string_view::npos) {
      return {FileKind::kDocx, ""};
    }
    return {FileKind::kUnknown, "a ZIP archive that is neither a .docx nor an .odt document"};
  }
  bool riff = Starts(head, "RIFF") && head.size() >= 12;
  bool frame_sync = head.size() > 1 && static_cast<unsigned char>(head[0]) == 0xFF &&
                    (static_cast<unsigned char>(head[1]) & 0xE0) == 0xE0;  // MPEG audio, ADTS
  if ((riff && head.substr(8, 4) == "WAVE") || Starts(head, "ID3") || Starts(head, "fLaC") ||
      Starts(head, "OggS") || Starts(head, "#!AMR") ||
      (Starts(head, "FORM") && head.size() >= 12 &&
       (head.substr(8, 4) == "AIFF" || head.substr(8, 4) == "AIFC")) ||
      Starts(head, "caff") || (frame_sync && (ext == "mp3" || ext == "aac"))) {
    return {FileKind::kAudio, ""};
  }
  if (head.size() >= 12 && head.substr(4, 4) == "ftyp") {
    std::string_view brand = head.substr(8, 4);
    if (brand == "M4A " || brand == "M4B " || ext == "m4a") return {FileKind::kAudio, ""};
    return {FileKind::kVideo, ""};
  }
  // QuickTime files older than ftyp start with one of these atoms.
  if (head.size() >= 8) {
    std::string_view atom = head.substr(4, 4);
    if (atom == "moov" || atom == "mdat" || atom == "wide" || atom == "pnot" ||
        (atom == "free" && (ext == "mov" || ext == "qt"))) {
      return {FileKind::kVideo, ""};
    }
  }
  if ((riff && head.substr(8, 4) == "AVI ") || Starts(head, "\x1A\x45\xDF\xA3") ||  // Matroska
      Starts(head, "\x30\x26\xB2\x75\x8E\x66\xCF\x11") ||                           // ASF
      Starts(head, "FLV\x01") || Starts(head, std::string_view("\0\0\x01\xBA", 4)) ||
      (head.size() > 564 && head[0] == 0x47 && head[188] == 0x47 && head[376] == 0x47 &&
       head[564] == 0x47)) {  // MPEG program and transport streams
    if (Starts(head, "\x30\x26\xB2\x75") && ext == "wma") return {FileKind::kAudio, ""};
    return {FileKind::kVideo, ""};
  }
  if (LooksLikeText(head)) return {FileKind::kText, ""};
  static const char* kReadable[][2] = {
      {"pdf", "a PDF (no %PDF- header)"}, {"png", "a PNG image"},         {"jpg", "a JPEG image"},
      {"jpeg", "a JPEG image"},           {"tif", "a TIFF image"},        {"tiff", "a TIFF image"},
      {"docx", "a Word document"},        {"odt", "an OpenDocument text"}};
  for (const auto& [e, what] : kReadable) {
    if (ext == e) {
      return {FileKind::kUnknown,
              "named ." + ext + " but not " + what + "; it starts with bytes " + Hex(head), true};
    }
  }
  return {FileKind::kUnknown,
          "not a kind of file attest reads text from; it starts with bytes " + Hex(head)};
}

}  // namespace attest::ingest

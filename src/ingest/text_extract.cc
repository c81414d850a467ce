#include "ingest/text_extract.h"

#include <unicode/ucnv.h>
#include <unicode/ucsdet.h>

#include <algorithm>
#include <array>
#include <memory>

#include "core/json.h"

namespace attest::ingest {
namespace {

Result<std::string> Convert(std::string_view bytes, const char* encoding) {
  UErrorCode err = U_ZERO_ERROR;
  std::unique_ptr<UConverter, decltype(&ucnv_close)> conv(ucnv_open(encoding, &err), ucnv_close);
  if (U_FAILURE(err)) {
    return Status::InvalidArgument(std::string("ICU has no converter for ") + encoding);
  }
  ucnv_setToUCallBack(conv.get(), UCNV_TO_U_CALLBACK_STOP, nullptr, nullptr, nullptr, &err);
  std::u16string u16(bytes.size() + 16, u'\0');
  int32_t n = ucnv_toUChars(conv.get(), u16.data(), static_cast<int32_t>(u16.size()), bytes.data(),
                            static_cast<int32_t>(bytes.size()), &err);
  if (U_FAILURE(err)) {
    return Status::InvalidArgument(std::string("the bytes are not valid ") + encoding);
  }
  u16.resize(n);
  std::string out;
  out.reserve(u16.size() * 2);
  err = U_ZERO_ERROR;
  std::unique_ptr<UConverter, decltype(&ucnv_close)> utf8(ucnv_open("UTF-8", &err), ucnv_close);
  out.resize(u16.size() * 3 + 16);
  int32_t m = ucnv_fromUChars(utf8.get(), out.data(), static_cast<int32_t>(out.size()), u16.data(),
                              static_cast<int32_t>(u16.size()), &err);
  if (U_FAILURE(err)) return Status::InvalidArgument("the text has unpaired surrogates");
  out.resize(m);
  if (out.size() >= 3 && out.compare(0, 3, "\xEF\xBB\xBF") == 0) out.erase(0, 3);
  return out;
}

// Control characters other than white space: UTF-16 of Hebrew or Arabic without a BOM is
// ASCII bytes, valid UTF-8, but full of 0x05 or 0x06.
bool HasControls(std::string_view b) {
  size_t n = 0;
  for (unsigned char c : b.substr(0, 1 << 16)) {
    if ((c < 0x20 && c != '\n' && c != '\r' && c != '\t' && c != '\f') || c == 0) ++n;
  }
  return n * 100 > std::min<size_t>(b.size(), 1 << 16);
}

}  // namespace

// UTF-16 without a BOM: one byte of each pair takes few values (the script's block: 0x00 for
// Latin, 0x05 for Hebrew, 0x06 for Arabic, 0x20 for punctuation), the other many.
const char* Utf16Pattern(std::string_view b) {
  if (b.size() < 8 || b.size() % 2 != 0) return nullptr;
  std::array<int, 256> even{}, odd{};
  size_t pairs = std::min<size_t>(b.size() / 2, 1 << 16);
  for (size_t i = 0; i < pairs; ++i) {
    even[static_cast<unsigned char>(b[2 * i])]++;
    odd[static_cast<unsigned char>(b[2 * i + 1])]++;
  }
  auto narrow = [pairs](const std::array<int, 256>& h) {
    std::array<int, 256> s = h;
    std::sort(s.begin(), s.end(), std::greater<int>());
    return static_cast<size_t>(s[0] + s[1] + s[2]) * 100 >= pairs * 95;
  };
  if (narrow(odd) && !narrow(even)) return "UTF-16LE";
  if (narrow(even) && !narrow(odd)) return "UTF-16BE";
  return nullptr;
}

Result<DecodedText> DecodeText(std::string_view bytes) {
  DecodedText d;
  auto starts = [&](std::string_view p) { return bytes.substr(0, p.size()) == p; };
  if (starts("\xEF\xBB\xBF") && IsValidUtf8(bytes)) {
    d = {std::string(bytes.substr(3)), "UTF-8", 100, "bom"};
    return d;
  }
  if (starts("\xFF\xFE") || starts("\xFE\xFF")) {
    const char* enc = starts("\xFF\xFE") ? "UTF-16LE" : "UTF-16BE";
    ASSIGN_OR_RETURN(d.utf8, Convert(bytes.substr(2), enc));
    d.encoding = enc;
    d.confidence = 100;
    d.method = "bom";
    return d;
  }
  if (IsValidUtf8(bytes) && !HasControls(bytes)) {
    d = {std::string(bytes), "UTF-8", 100, "utf8"};
    return d;
  }
  if (const char* enc = Utf16Pattern(bytes)) {
    auto text = Convert(bytes, enc);
    if (text.ok()) {
      d = {std::move(*text), enc, 90, "utf16-pattern"};
      return d;
    }
  }
  if (IsValidUtf8(bytes)) {
    d = {std::string(bytes), "UTF-8", 100, "utf8"};
    return d;
  }
  // Single-byte encodings: ICU's statistical detector, limited to the ones attest reads.
  static const char* kAllowed[] = {"windows-1255", "ISO-8859-8",   "ISO-8859-8-I", "windows-1256",
                                   "ISO-8859-6",   "windows-1252", "ISO-8859-1"};
  UErrorCode err = U_ZERO_ERROR;
  std::unique_ptr<UCharsetDetector, decltype(&ucsdet_close)> det(ucsdet_open(&err), ucsdet_close);
  if (U_FAILURE(err)) return Status::Unavailable("ICU's charset detector could not start");
  size_t sample = std::min<size_t>(bytes.size(), 1 << 20);
  ucsdet_setText(det.get(), bytes.data(), static_cast<int32_t>(sample), &err);
  int32_t found = 0;
  const UCharsetMatch** matches = ucsdet_detectAll(det.get(), &found, &err);
  if (U_FAILURE(err)) return Status::InvalidArgument("ICU could not tell the text's encoding");
  for (int32_t i = 0; i < found; ++i) {
    UErrorCode e = U_ZERO_ERROR;
    std::string name = ucsdet_getName(matches[i], &e);
    int conf = ucsdet_getConfidence(matches[i], &e);
    if (U_FAILURE(e)) continue;
    if (std::find(std::begin(kAllowed), std::end(kAllowed), name) == std::end(kAllowed)) continue;
    // ISO-8859-8-I is the logical-order label of the same bytes.
    const char* conv = name == "ISO-8859-8-I" ? "ISO-8859-8" : name.c_str();
    auto text = Convert(bytes, conv);
    if (!text.ok()) continue;
    d = {std::move(*text), name, conf, "icu"};
    return d;
  }
  return Status::InvalidArgument(
      "the text is in none of the encodings attest reads (UTF-8, UTF-16, windows-1255, "
      "ISO-8859-8, windows-1256, ISO-8859-6, windows-1252, ISO-8859-1)");
}

}  // namespace attest::ingest

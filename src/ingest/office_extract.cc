#include "ingest/office_extract.h"

#include <expat.h>
#include <zip.h>

#include <memory>

namespace attest::ingest {
namespace {

// One member of a ZIP archive held in memory.
Result<std::string> ZipMember(std::string_view bytes, const char* member, const char* what) {
  zip_error_t error;
  zip_error_init(&error);
  zip_source_t* src = zip_source_buffer_create(bytes.data(), bytes.size(), 0, &error);
  if (!src) return Status::Unavailable("libzip could not start");
  zip_t* za = zip_open_from_source(src, ZIP_RDONLY, &error);
  if (!za) {
    zip_source_free(src);
    zip_error_fini(&error);
    return Status::InvalidArgument(std::string("damaged ") + what + ": not a readable ZIP archive");
  }
  std::unique_ptr<zip_t, decltype(&zip_discard)> archive(za, zip_discard);
  zip_stat_t st;
  if (zip_stat(za, member, 0, &st) != 0 || !(st.valid & ZIP_STAT_SIZE)) {
    return Status::InvalidArgument(std::string("not a ") + what + ": it has no " + member);
  }
  constexpr uint64_t kMax = 256u << 20;
  if (st.size > kMax) {
    return Status::InvalidArgument(std::string(member) + " is larger than 256 MiB");
  }
  std::unique_ptr<zip_file_t, decltype(&zip_fclose)> f(zip_fopen(za, member, 0), zip_fclose);
  if (!f) return Status::InvalidArgument(std::string("damaged ") + what + ": " + member);
  std::string out(st.size, '\0');
  zip_int64_t n = zip_fread(f.get(), out.data(), st.size);
  if (n < 0 || static_cast<uint64_t>(n) != st.size) {
    return Status::InvalidArgument(std::string("damaged ") + what + ": " + member +
                                   " could not be read in full");
  }
  return out;
}

// Collects character data inside text elements; paragraph elements end a line.
struct XmlText {
  // Element names (with expat's namespace separator '|').
  std::string text_el, para_el, heading_el, tab_el, break_el, space_el;
  std::string out;
  int in_text = 0;
  bool odt = false;
};

void Start(void* data, const XML_Char* name, const XML_Char** attrs) {
  auto* x = static_cast<XmlText*>(data);
  std::string_view n(name);
  if (n == x->text_el) ++x->in_text;
  if (n == x->tab_el) x->out += '\t';
  if (n == x->break_el) x->out += '\n';
  if (x->odt && n == x->space_el) {
    int count = 1;
    for (int i = 0; attrs[i]; i += 2) {
      if (std::string_view(attrs[i]).ends_with("|c")) count = std::max(1, std::atoi(attrs[i + 1]));
    }
    x->out.append(std::min(count, 1000), ' ');
  }
  if (x->odt && (n == x->para_el || n == x->heading_el)) ++x->in_text;
}

void End(void* data, const XML_Char* name) {
  auto* x = static_cast<XmlText*>(data);
  std::string_view n(name);
  if (n == x->text_el && x->in_text > 0) --x->in_text;
  if (n == x->para_el || n == x->heading_el) {
    if (x->odt && x->in_text > 0) --x->in_text;
    x->out += '\n';
  }
}

void Chars(void* data, const XML_Char* s, int len) {
  auto* x = static_cast<XmlText*>(data);
  if (x->in_text > 0) x->out.append(s, static_cast<size_t>(len));
}

Result<std::string> ParseXml(const std::string& xml, XmlText x, const char* what) {
  std::unique_ptr<XML_ParserStruct, decltype(&XML_ParserFree)> p(XML_ParserCreateNS("UTF-8", '|'),
                                                                 XML_ParserFree);
  XML_SetUserData(p.get(), &x);
  XML_SetElementHandler(p.get(), Start, End);
  XML_SetCharacterDataHandler(p.get(), Chars);
  if (XML_Parse(p.get(), xml.data(), static_cast<int>(xml.size()), 1) == XML_STATUS_ERROR) {
    return Status::InvalidArgument(std::string("damaged ") + what +
                                   ": its XML is not well formed (" +
                                   XML_ErrorString(XML_GetErrorCode(p.get())) + " at line " +
                                   std::to_string(XML_GetCurrentLineNumber(p.get())) + ")");
  }
  while (!x.out.empty() && x.out.back() == '\n') x.out.pop_back();
  return x.out;
}

}  // namespace

Result<std::string> ExtractDocxText(std::string_view bytes) {
  ASSIGN_OR_RETURN(std::string xml, ZipMember(bytes, "word/document.xml", "Word document"));
  constexpr char kW[] = "http://schemas.openxmlformats.org/wordprocessingml/2006/main|";
  XmlText x;
  x.text_el = std::string(kW) + "t";
  x.para_el = std::string(kW) + "p";
  x.tab_el = std::string(kW) + "tab";
  x.break_el = std::string(kW) + "br";
  return ParseXml(xml, std::move(x), "Word document");
}

Result<std::string> ExtractOdtText(std::string_view bytes) {
  ASSIGN_OR_RETURN(std::string xml, ZipMember(bytes, "content.xml", "OpenDocument text"));
  constexpr char kT[] = "urn:oasis:names:tc:opendocument:xmlns:text:1.0|";
  XmlText x;
  x.odt = true;
  x.text_el = "\x01";  // text:p and text:h hold the text directly
  x.para_el = std::string(kT) + "p";
  x.heading_el = std::string(kT) + "h";
  x.tab_el = std::string(kT) + "tab";
  x.break_el = std::string(kT) + "line-break";
  x.space_el = std::string(kT) + "s";
  return ParseXml(xml, std::move(x), "OpenDocument text");
}

}  // namespace attest::ingest

// The portal's interface languages and templates (web/i18n, web/templates). Pages are
// mustache templates filled from JSON views; every value is HTML-escaped unless a template
// asks otherwise with {{{triple}}} braces, which only the layout uses, for the page body.
// Thread-safe: read-only after construction.
#ifndef ATTEST_HTTP_RENDER_H_
#define ATTEST_HTTP_RENDER_H_

#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "core/json.h"
#include "core/status.h"
#include "service/cite.h"

namespace attest::http {

// The interface languages, in the order the switcher shows them.
const std::vector<std::string>& UiLanguages();

// Chooses the interface language: `chosen` (the switcher's cookie) if it is one, else the
// best of an Accept-Language header (RFC 9110 quality values; "he-IL" counts as "he"), else
// English.
std::string NegotiateLanguage(std::string_view chosen, std::string_view accept_language);

// "rtl" for Hebrew and Arabic (and other right-to-left scripts' languages), else "ltr".
const char* Direction(std::string_view lang);

using service::FormatClock;  // service/cite.h

class Renderer {
 public:
  // Loads the embedded translations and templates; kCorruption if one does not parse (a
  // build that would fail every page).
  static Result<Renderer> Load();

  // The messages of an interface language (English for any other).
  const Json& Messages(const std::string& lang) const;

  // Renders web/templates/NAME.mustache with `view` and wraps it in the layout, which reads
  // view["title"], view["ui"] and view["t"].
  Result<std::string> Page(const std::string& name, const Json& view) const;
  // Renders one template without the layout.
  Result<std::string> Fragment(const std::string& name, const Json& view) const;

 private:
  std::map<std::string, Json> messages_;
  std::map<std::string, std::string> templates_;
};

}  // namespace attest::http

#endif  // ATTEST_HTTP_RENDER_H_

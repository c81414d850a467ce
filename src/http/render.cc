#include "http/render.h"

#include <algorithm>
#include <cstdio>
#include <kainjow/mustache.hpp>

#include "http/assets.h"

namespace attest::http {
namespace mustache = kainjow::mustache;
namespace {

mustache::data ToData(const Json& j) {
  switch (j.type()) {
    case Json::value_t::object: {
      mustache::data d{mustache::data::type::object};
      for (auto it = j.begin(); it != j.end(); ++it) d.set(it.key(), ToData(it.value()));
      return d;
    }
    case Json::value_t::array: {
      mustache::data d{mustache::data::type::list};
      for (const auto& e : j) d.push_back(ToData(e));
      return d;
    }
    case Json::value_t::string:
      return mustache::data{j.get<std::string>()};
    case Json::value_t::boolean:
      return mustache::data{j.get<bool>()};
    case Json::value_t::null:
      return mustache::data{false};
    default:
      return mustache::data{j.dump()};  // numbers
  }
}

Result<std::string> RenderTemplate(const std::string& name, const std::string& text,
                                   const Json& view,
                                   const std::map<std::string, std::string>& templates) {
  mustache::mustache tmpl{text};
  if (!tmpl.is_valid()) {
    return Status::Corruption("template " + name + ": " + tmpl.error_message());
  }
  mustache::data data = ToData(view);
  // Templates named with a leading "_" are partials: {{> _name}}.
  for (const auto& [partial, body] : templates) {
    if (partial.empty() || partial[0] != '_') continue;
    const std::string* text_ptr = &body;
    data.set(partial, mustache::partial([text_ptr] { return *text_ptr; }));
  }
  std::string out = tmpl.render(data);
  if (!tmpl.is_valid()) {
    return Status::Corruption("template " + name + ": " + tmpl.error_message());
  }
  return out;
}

}  // namespace

const std::vector<std::string>& UiLanguages() {
  static const std::vector<std::string>* langs =
      new std::vector<std::string>{"ar", "en", "fr", "he"};
  return *langs;
}

std::string NegotiateLanguage(std::string_view chosen, std::string_view accept_language) {
  const auto& langs = UiLanguages();
  if (std::find(langs.begin(), langs.end(), chosen) != langs.end()) return std::string(chosen);
  std::string best = "en";
  double best_q = 0;
  size_t pos = 0;
  while (pos < accept_language.size()) {
    size_t comma = accept_language.find(',', pos);
    std::string_view item = accept_language.substr(
        pos, comma == std::string_view::npos ? std::string_view::npos : comma - pos);
    pos = comma == std::string_view::npos ? accept_language.size() : comma + 1;
    double q = 1;
    size_t semi = item.find(';');
    std::string_view tag = item.substr(0, semi);
    if (semi != std::string_view::npos) {
      std::string_view params = item.substr(semi + 1);
      size_t qpos = params.find("q=");
      if (qpos != std::string_view::npos) {
        std::string qs(params.substr(qpos + 2, 5));
        char* end = nullptr;
        q = std::strtod(qs.c_str(), &end);
        if (end == qs.c_str() || q < 0 || q > 1) q = 0;
      }
    }
    while (!tag.empty() && tag.front() == ' ') tag.remove_prefix(1);
    while (!tag.empty() && tag.back() == ' ') tag.remove_suffix(1);
    std::string primary(tag.substr(0, tag.find('-')));
    std::transform(primary.begin(), primary.end(), primary.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    if (primary == "iw") primary = "he";  // the old code for Hebrew
    if (q > best_q && std::find(langs.begin(), langs.end(), primary) != langs.end()) {
      best = primary;
      best_q = q;
    }
  }
  return best;
}

const char* Direction(std::string_view lang) {
  std::string_view primary = lang.substr(0, lang.find('-'));
  for (const char* rtl : {"ar", "he", "fa", "ur", "yi", "ps", "ckb", "dv", "syr", "arc"}) {
    if (primary == rtl) return "rtl";
  }
  return "ltr";
}

Result<Renderer> Renderer::Load() {
  Renderer r;
  for (const Asset& a : Assets()) {
    if (a.path.rfind("i18n/", 0) == 0 && a.path.size() > 10) {
      std::string lang = a.path.substr(5, a.path.size() - 10);
      Json j = Json::parse(a.bytes, nullptr, false);
      if (j.is_discarded() || !j.is_object()) {
        return Status::Corruption("web/" + a.path + " is not a JSON object");
      }
      r.messages_[lang] = std::move(j);
    } else if (a.path.rfind("templates/", 0) == 0) {
      std::string name = a.path.substr(10);
      if (name.size() > 9 && name.ends_with(".mustache")) {
        name.resize(name.size() - 9);
        mustache::mustache check{std::string(a.bytes)};
        if (!check.is_valid()) {
          return Status::Corruption("web/" + a.path + ": " + check.error_message());
        }
        r.templates_[name] = std::string(a.bytes);
      }
    }
  }
  // Every interface language has every message English has.
  auto en = r.messages_.find("en");
  if (en == r.messages_.end()) return Status::Corruption("web/i18n/en.json is missing");
  for (const std::string& lang : UiLanguages()) {
    auto it = r.messages_.find(lang);
    if (it == r.messages_.end()) return Status::Corruption("web/i18n/" + lang + ".json is missing");
    for (auto m = en->second.begin(); m != en->second.end(); ++m) {
      if (!it->second.contains(m.key())) {
        return Status::Corruption("web/i18n/" + lang + ".json has no message '" + m.key() + "'");
      }
    }
  }
  if (!r.templates_.count("layout"))
    return Status::Corruption("web/templates/layout.mustache is missing");
  return r;
}

const Json& Renderer::Messages(const std::string& lang) const {
  auto it = messages_.find(lang);
  return it == messages_.end() ? messages_.at("en") : it->second;
}

Result<std::string> Renderer::Fragment(const std::string& name, const Json& view) const {
  auto it = templates_.find(name);
  if (it == templates_.end()) return Status::NotFound("no template " + name);
  return RenderTemplate(name, it->second, view, templates_);
}

Result<std::string> Renderer::Page(const std::string& name, const Json& view) const {
  ASSIGN_OR_RETURN(std::string body, Fragment(name, view));
  Json outer = view;
  outer["body"] = std::move(body);
  return Fragment("layout", outer);
}

}  // namespace attest::http

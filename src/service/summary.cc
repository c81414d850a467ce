#include "service/summary.h"

#include <httplib.h>

#include <cstdlib>

#include "core/json.h"

namespace attest::service {
namespace {

Json RequestBody(const Json& settings, const std::string& question,
                 const std::vector<SummaryPassage>& numbered) {
  std::string passages;
  for (const auto& p : numbered) {
    passages += "[" + std::to_string(p.n) + "] (witness " + p.witness + ", " + p.lang + ") " +
                p.text + "\n\n";
  }
  return {{"model", settings.value("model", "")},
          {"temperature", 0},
          {"messages",
           {{{"role", "system"},
             {"content",
              "You summarise testimony passages for a reader. Use only what the numbered "
              "passages say; add no fact. Cite the passages you use by their numbers in square "
              "brackets, like [2]. Write in the language of the question. Never speak in a "
              "witness's name."}},
            {{"role", "user"},
             {"content", "Question: " + question + "\n\nPassages:\n\n" + passages}}}}};
}

}  // namespace

std::optional<SummaryTransport::Reply> HttpSummaryTransport::Post(const std::string& origin,
                                                                  const std::string& path,
                                                                  const std::string& body,
                                                                  int timeout_seconds) {
  httplib::Client client(origin);
  client.set_connection_timeout(5);
  client.set_read_timeout(timeout_seconds);
  auto res = client.Post(path, body, "application/json");
  if (!res) return std::nullopt;
  return Reply{res->status, res->body};
}

std::optional<Endpoint> ParseEndpoint(const std::string& endpoint) {
  // scheme://host[:port]/path
  size_t scheme_end = endpoint.find("://");
  if (scheme_end == std::string::npos || (endpoint.compare(0, scheme_end, "http") != 0 &&
                                          endpoint.compare(0, scheme_end, "https") != 0)) {
    return std::nullopt;
  }
  Endpoint e;
  size_t path_at = endpoint.find('/', scheme_end + 3);
  e.origin = endpoint.substr(0, path_at);
  e.path = path_at == std::string::npos ? "/" : endpoint.substr(path_at);
  std::string hostport = e.origin.substr(scheme_end + 3);
  if (hostport.empty()) return std::nullopt;
  e.host = hostport[0] == '[' ? hostport.substr(0, hostport.find(']') + 1)
                              : hostport.substr(0, hostport.rfind(':'));
  if (hostport[0] != '[' && hostport.find(':') == std::string::npos) e.host = hostport;
  e.loopback = e.host == "127.0.0.1" || e.host == "localhost" || e.host == "[::1]";
  return e;
}

Summary Summarise(const Json& settings, const std::string& question,
                  const std::vector<SummaryPassage>& passages, SummaryTransport* transport) {
  Summary out;
  std::optional<Endpoint> endpoint = ParseEndpoint(settings.value("endpoint", ""));
  if (!endpoint) {
    out.error = "the summary endpoint in config.json is not an http(s) URL";
    return out;
  }
  if (!endpoint->loopback && !settings.value("allow_remote", false)) {
    out.error =
        "the summary endpoint is not on this machine and config.json does not allow "
        "remote endpoints (allow_remote): nothing was sent";
    return out;
  }
  Json body = RequestBody(settings, question, passages);
  auto res = transport->Post(endpoint->origin, endpoint->path, body.dump(),
                             settings.value("timeout_seconds", 60));
  if (!res || res->status != 200) {
    out.error = "the summary endpoint did not answer" +
                (res ? " (HTTP " + std::to_string(res->status) + ")" : std::string());
    return out;
  }
  Json reply = Json::parse(res->body, nullptr, false);
  if (!reply.is_object() || !reply.contains("choices") || !reply["choices"].is_array() ||
      reply["choices"].empty() || !reply["choices"][0].contains("message") ||
      !reply["choices"][0]["message"].contains("content") ||
      !reply["choices"][0]["message"]["content"].is_string()) {
    out.error = "the summary endpoint's reply is not an OpenAI-style chat completion";
    return out;
  }
  std::string text = reply["choices"][0]["message"]["content"];
  if (!IsValidUtf8(text)) {
    out.error = "the summary endpoint's reply is not UTF-8";
    return out;
  }
  for (size_t at = text.find('['); at != std::string::npos; at = text.find('[', at + 1)) {
    size_t end = text.find(']', at);
    if (end == std::string::npos || end - at > 4) continue;
    int n = std::atoi(text.substr(at + 1, end - at - 1).c_str());
    if (n >= 1 && n <= static_cast<int>(passages.size())) out.cites.insert(n);
  }
  out.text = text;
  out.model = reply.value("model", settings.value("model", ""));
  return out;
}

}  // namespace attest::service

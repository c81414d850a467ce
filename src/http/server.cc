#include "http/server.h"

#include <httplib.h>

#include "archive/archive.h"
#include "core/hash.h"
#include "core/json.h"

namespace attest::http {
namespace {

std::string HtmlEscape(std::string_view s) {
  std::string out;
  for (char c : s) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      case '\'':
        out += "&#39;";
        break;
      default:
        out.push_back(c);
    }
  }
  return out;
}

// RFC 9457 problem details.
void Problem(httplib::Response& res, int status, const std::string& title,
             const std::string& detail) {
  Json j = {{"type", "about:blank"}, {"title", title}, {"status", status}, {"detail", detail}};
  res.status = status;
  res.set_content(j.dump(), "application/problem+json");
}

int HttpStatusFor(const Status& st) {
  switch (st.code()) {
    case Code::kNotFound:
      return 404;
    case Code::kInvalidArgument:
      return 400;
    case Code::kPermissionDenied:
      return 403;
    case Code::kConflict:
      return 409;
    case Code::kUnavailable:
      return 503;
    default:
      return 500;
  }
}

bool SafeLogPath(const std::string& p) {
  if (p.empty() || p.find("..") != std::string::npos || p[0] == '/') return false;
  if (p != "checkpoint" && p.rfind("tile/", 0) != 0) return false;
  for (char c : p) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '/' || c == '.';
    if (!ok) return false;
  }
  return true;
}

}  // namespace

Result<ServeOptions> ParseListen(const std::string& listen) {
  ServeOptions o;
  size_t colon = listen.rfind(':');
  if (colon == std::string::npos) {
    return Status::InvalidArgument("--listen '" + listen + "' is not HOST:PORT");
  }
  o.host = listen.substr(0, colon);
  if (o.host.size() >= 2 && o.host.front() == '[' && o.host.back() == ']') {
    o.host = o.host.substr(1, o.host.size() - 2);
  }
  std::string port = listen.substr(colon + 1);
  if (port.empty() || port.size() > 5 ||
      port.find_first_not_of("0123456789") != std::string::npos || std::stoi(port) > 65535 ||
      o.host.empty()) {
    return Status::InvalidArgument("--listen '" + listen + "' is not HOST:PORT");
  }
  o.port = std::stoi(port);
  return o;
}

struct Server::Internal {
  Env* env;
  std::string dir;
  ServeOptions options;
  httplib::Server svr;
};

Server::Server(Env* env, std::string archive_dir, ServeOptions options)
    : rep_(new Internal{env, std::move(archive_dir), options, {}}) {
  Internal* r = rep_.get();
  int threads = options.threads;
  r->svr.new_task_queue = [threads] { return new httplib::ThreadPool(threads); };
  r->svr.set_payload_max_length(1 << 20);
  r->svr.set_read_timeout(10, 0);
  r->svr.set_write_timeout(30, 0);

  auto open = [r](httplib::Response& res) -> std::unique_ptr<archive::Archive> {
    auto a = archive::Archive::Open(r->env, r->dir);
    if (!a.ok()) {
      Problem(res, 503, "Archive unavailable", "the archive could not be opened");
      return nullptr;
    }
    return std::move(*a);
  };

  r->svr.Get(R"(/log/(.+))", [r](const httplib::Request& req, httplib::Response& res) {
    std::string rel = req.matches[1];
    if (!SafeLogPath(rel)) return Problem(res, 404, "Not Found", "no such log file");
    auto data = r->env->ReadFile(JoinPath(JoinPath(r->dir, "log"), rel));
    if (!data.ok()) return Problem(res, 404, "Not Found", "no such log file");
    if (rel == "checkpoint") {
      res.set_header("Cache-Control", "no-cache");
      res.set_content(*data, "text/plain; charset=utf-8");
    } else {
      // Full tiles never change; partial ones are replaced by their full tile eventually.
      res.set_header("Cache-Control", rel.find(".p/") == std::string::npos
                                          ? "public, max-age=31536000, immutable"
                                          : "public, max-age=60");
      res.set_content(*data, "application/octet-stream");
    }
  });

  r->svr.Get("/api/v1/records", [open](const httplib::Request&, httplib::Response& res) {
    auto a = open(res);
    if (!a) return;
    auto list = a->List();
    if (!list.ok()) return Problem(res, 500, "Internal error", "the records could not be read");
    Json items = Json::array();
    for (const auto& rec : *list) {
      if (rec.consent == meta::Consent::kPublic) items.push_back(archive::RecordToJson(rec));
    }
    res.set_content(Json{{"records", items}}.dump(), "application/json");
  });

  r->svr.Get(R"(/api/v1/records/([a-z0-9]{1,64})/proof)",
             [open](const httplib::Request& req, httplib::Response& res) {
               auto a = open(res);
               if (!a) return;
               auto rec = a->Get(req.matches[1]);
               // A record that is not public is indistinguishable from one that does not exist.
               if (!rec.ok() || rec->consent != meta::Consent::kPublic) {
                 return Problem(res, 404, "Not Found", "no such public record");
               }
               auto proof = a->Prove(rec->id, std::nullopt);
               if (!proof.ok()) {
                 return Problem(res, HttpStatusFor(proof.status()), "Proof unavailable",
                                "the proof could not be made");
               }
               res.set_content(proof->ToJson().dump(2), "application/json");
             });

  r->svr.Get("/", [open](const httplib::Request&, httplib::Response& res) {
    auto a = open(res);
    if (!a) return;
    auto cp = a->Checkpoint();
    auto list = a->List();
    std::string html =
        "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\">"
        "<meta name=\"viewport\" content=\"width=device-width\"><title>attest</title>"
        "<style>body{font-family:system-ui,sans-serif;max-width:50rem;margin:2rem auto;"
        "padding:0 1rem;line-height:1.5}code,pre{font-size:.85rem;overflow-wrap:anywhere}"
        "pre{white-space:pre-wrap;word-break:break-all}"
        "td{padding:.2rem .6rem;border-bottom:1px solid #ddd}"
        ".notice{background:#fff4d6;border-left:4px solid #c90;padding:.5rem 1rem}</style>"
        "</head><body><h1>attest</h1><p>A tamper-evident archive. Public records, their log "
        "and proofs.</p>";
    auto notice = a->store()->GetInfo("notice");
    if (notice.ok() && notice->has_value()) {
      html += "<p class=\"notice\" role=\"note\">" + HtmlEscape(**notice) + "</p>";
    }
    html +=
        "<h2>Public records</h2><table><tr><th>record</th><th>language</th>"
        "<th>collection</th><th>SHA-256</th><th>proof</th></tr>";
    if (list.ok()) {
      for (const auto& rec : *list) {
        if (rec.consent != meta::Consent::kPublic || rec.versions.empty()) continue;
        const auto& v = rec.versions.back();
        std::string sha = v.blobs.empty() ? "" : v.blobs[0].sha256;
        html += "<tr><td><code>" + HtmlEscape(rec.id) + "</code></td><td lang=\"" +
                HtmlEscape(v.lang) + "\">" + HtmlEscape(v.lang) + "</td><td>" +
                HtmlEscape(rec.collection_id) + "</td><td><code>" + HtmlEscape(sha.substr(0, 16)) +
                "…</code></td><td><a href=\"/api/v1/records/" + HtmlEscape(rec.id) +
                "/proof\">proof</a></td></tr>";
      }
    }
    html += "</table>";
    if (cp.ok()) {
      html += "<h2>Signed checkpoint</h2><pre>" + HtmlEscape(cp->note) +
              "</pre><p>Verifier key: <code>" + HtmlEscape(a->VerifierKey()) +
              "</code></p><p>The log is served as C2SP tlog-tiles under "
              "<a href=\"/log/checkpoint\">/log/</a>.</p>";
    }
    html += "</body></html>";
    res.set_content(html, "text/html; charset=utf-8");
  });
}

Server::~Server() = default;

Result<int> Server::Bind() {
  if (rep_->options.port == 0) {
    int port = rep_->svr.bind_to_any_port(rep_->options.host);
    if (port < 0) return Status::Unavailable("cannot listen on " + rep_->options.host);
    return port;
  }
  if (!rep_->svr.bind_to_port(rep_->options.host, rep_->options.port)) {
    return Status::Unavailable("cannot listen on " + rep_->options.host + ":" +
                               std::to_string(rep_->options.port) +
                               " (in use, or not an address of this machine)");
  }
  return rep_->options.port;
}

Status Server::Run() {
  if (!rep_->svr.listen_after_bind()) return Status::IOError("the server stopped with an error");
  return Status::Ok();
}

void Server::Stop() { rep_->svr.stop(); }

}  // namespace attest::http

#include "ingest/worker.h"

#include <signal.h>
#include <unicode/uvernum.h>
#include <unistd.h>

#include <chrono>
#include <mutex>
#include <thread>

#include "asr/model.h"
#include "asr/transcriber.h"
#include "core/hash.h"
#include "core/json.h"
#include "ingest/access_copy.h"
#include "ingest/media.h"
#include "ingest/models.h"
#include "ingest/ocr.h"
#include "ingest/office_extract.h"
#include "ingest/pdf_extract.h"
#include "ingest/sniff.h"
#include "ingest/text_extract.h"
#include "ingest/transcripts.h"
#include "text/langid.h"
#include "text/paragraphs.h"

namespace attest::ingest {
namespace {

constexpr uint64_t kMaxTextBytes = 64u << 20;
constexpr uint64_t kMaxDocumentBytes = 1u << 30;
constexpr int kPdfDpi = 300;
constexpr const char* kNoAudio = "no audio stream: nothing to transcribe";

std::string Hostname() {
  char buf[256] = {0};
  if (gethostname(buf, sizeof(buf) - 1) != 0) return "localhost";
  return buf;
}

// Transient trouble is retried with backoff; what is wrong with the file itself is not.
bool Retryable(const Status& st) {
  return st.code() == Code::kIOError || st.code() == Code::kUnavailable;
}

// What every thread of one worker process shares.
struct Shared {
  Env* env;
  std::string dir;
  const WorkerOptions* opts;
  std::string owner;
  std::unique_ptr<text::LanguageIdentifier> langid;  // thread-safe after Load
  std::string langid_sha256;
  std::atomic<uint64_t> pages{0}, finished{0}, bytes{0};
  std::atomic<int64_t> audio_ms{0};
  int asr_threads = 1;
  std::chrono::steady_clock::time_point start = std::chrono::steady_clock::now();
  std::mutex progress_mu;
  Status first_error;
  std::mutex error_mu;
  // The speech model, loaded once for every thread (a Transcriber is thread-safe), or why the
  // registered file could not be used.
  std::mutex model_mu;
  std::string model_sha256;
  std::shared_ptr<asr::Transcriber> transcriber;
  Status model_error;
};

std::string At(Env* env, int64_t plus_seconds) {
  return FormatRfc3339(env->NowMicros() + plus_seconds * 1000000);
}

class JobRunner {
 public:
  JobRunner(Shared* shared, archive::Archive* archive)
      : s_(shared),
        archive_(archive),
        ocr_(shared->opts->tessdata.empty() ? DefaultTessdataDir() : shared->opts->tessdata) {}

  // Runs a leased job to its end: done, queued again for a retry, or failed.
  Status Run(const meta::Job& job) {
    Status st = s_->opts->before_run ? s_->opts->before_run(job) : Status::Ok();
    if (st.ok()) st = Dispatch(job);
    if (st.ok()) return st;
    if (st.code() == Code::kConflict && st.message().find("no longer held") != std::string::npos) {
      return Status::Ok();  // another worker took it over (or it was cancelled): not ours
    }
    auto failed =
        archive_->records().FailJob(job.id, s_->owner, At(s_->env, 0), st.message(), Retryable(st));
    if (!failed.ok() && failed.status().code() != Code::kConflict) return failed.status();
    return Status::Ok();
  }

 private:
  Status Dispatch(const meta::Job& job) {
    if (job.kind == "extract") return Extract(job);
    if (job.kind == "ocr") return Ocr(job);
    if (job.kind == "index") {
      RETURN_IF_ERROR(archive_->indexer().SyncIndex());
      return Finish(job, nullptr, {}, {{"indexed", true}});
    }
    if (job.kind == "transcribe") return Transcribe(job, false);
    if (job.kind == "translate") return Transcribe(job, true);
    if (job.kind == "access") return Access(job);
    if (job.kind == "redact-access") return RedactAccess(job);
    return Status::InvalidArgument("unknown job kind '" + job.kind + "'");
  }

  Status Finish(const meta::Job& job, const archive::DerivedText* derived,
                const std::vector<meta::NewJob>& follow_ups, const Json& outcome) {
    std::vector<meta::NewJob> next = follow_ups;
    for (auto& n : next) n.batch = job.batch;
    return archive_->records().FinishJob(job, s_->owner, derived, next, outcome).status();
  }

  struct Original {
    meta::Record record;
    meta::Version version;
    meta::BlobRef blob;
    std::string file_name;
  };

  Result<Original> LoadOriginal(const meta::Job& job) {
    ASSIGN_OR_RETURN(auto rv, archive_->records().JobVersion(job));
    Original o{rv.first, rv.second, {}, ""};
    for (const auto& b : o.version.blobs) {
      if (b.role == "original") o.blob = b;
    }
    if (o.blob.sha256.empty()) {
      return Status::NotFound("version " + std::to_string(job.version) + " of " + job.record_id +
                              " has no original (withdrawn?)");
    }
    if (auto priv = ParseJson(o.version.private_json, "private metadata"); priv.ok()) {
      o.file_name = StringMember(*priv, "file_name");
    }
    return o;
  }

  Result<std::string> ReadBlob(const std::string& sha256, uint64_t limit) {
    ASSIGN_OR_RETURN(auto f, archive_->records().OpenBlob(sha256));
    std::string data;
    std::vector<char> buf(1 << 20);
    while (data.size() < limit) {
      ASSIGN_OR_RETURN(size_t n,
                       f->Read(std::min<uint64_t>(buf.size(), limit - data.size()), buf.data()));
      if (n == 0) break;
      data.append(buf.data(), n);
    }
    return data;
  }

  Result<Sniffed> SniffOriginal(const Original& o, std::string* head) {
    ASSIGN_OR_RETURN(*head, ReadBlob(o.blob.sha256, 4096));
    return Sniff(*head, o.file_name, o.blob.size);
  }

  Status TooLarge(const Original& o, uint64_t limit, const char* what) {
    return Status::InvalidArgument(std::string(what) + " of " + std::to_string(o.blob.size) +
                                   " bytes is larger than attest reads (" +
                                   std::to_string(limit >> 20) + " MiB)");
  }

  Status Extract(const meta::Job& job) {
    ASSIGN_OR_RETURN(Original o, LoadOriginal(job));
    std::string head;
    ASSIGN_OR_RETURN(Sniffed kind, SniffOriginal(o, &head));
    const std::string& lang = o.version.lang;
    switch (kind.kind) {
      case FileKind::kEmpty:
        return Status::InvalidArgument("the file is empty (0 bytes): there is no text in it");
      case FileKind::kUnknown:
        if (kind.misnamed) return Status::InvalidArgument(kind.why);
        return Finish(job, nullptr, {}, {{"no_text", kind.why}});
      case FileKind::kAudio:
      case FileKind::kVideo: {
        // A recording without sound has nothing to transcribe: it waits for no model. (A file
        // FFmpeg cannot read goes on to the transcription, which names what is wrong with it.)
        ASSIGN_OR_RETURN(blob::LocalFile local, archive_->records().LocalBlob(o.blob.sha256));
        if (auto info = ProbeMedia(local.path()); info.ok() && info->audio_codec.empty()) {
          return Finish(job, nullptr, {{"access", 0, o.blob.size, "", false, ""}},
                        {{"next", "access"},
                         {"kind", FileKindName(kind.kind)},
                         {"no_text", std::string(kNoAudio)}});
        }
        ASSIGN_OR_RETURN(auto model, archive_->models().Speech());
        meta::NewJob next{"transcribe", 0, o.blob.size, "", !model.has_value(), ""};
        Json outcome = {{"next", "transcribe"}, {"kind", FileKindName(kind.kind)}};
        if (!model) {
          next.reason = kNoSpeechModel;
          outcome["waiting"] = std::string(kNoSpeechModel);
        }
        return Finish(job, nullptr, {next, {"access", 0, o.blob.size, "", false, ""}}, outcome);
      }
      case FileKind::kPng:
      case FileKind::kJpeg:
      case FileKind::kTiff:
        return Finish(job, nullptr, {{"ocr", 0, o.blob.size, "", false}},
                      {{"next", "ocr"}, {"kind", FileKindName(kind.kind)}});
      case FileKind::kText: {
        if (o.blob.size > kMaxTextBytes) return TooLarge(o, kMaxTextBytes, "a text file");
        ASSIGN_OR_RETURN(std::string bytes, ReadBlob(o.blob.sha256, kMaxTextBytes));
        ASSIGN_OR_RETURN(DecodedText d, DecodeText(bytes));
        archive::Derivation dv;
        dv.artifact = "text";
        dv.tool = "attest-text";
        dv.tool_version = std::string("ICU ") + U_ICU_VERSION;
        dv.detected = {
            {"encoding", d.encoding}, {"confidence", d.confidence}, {"method", d.method}};
        return FinishText(job, o, std::move(dv), {d.utf8}, false, lang);
      }
      case FileKind::kDocx:
      case FileKind::kOdt: {
        if (o.blob.size > kMaxDocumentBytes) return TooLarge(o, kMaxDocumentBytes, "a document");
        ASSIGN_OR_RETURN(std::string bytes, ReadBlob(o.blob.sha256, kMaxDocumentBytes));
        bool docx = kind.kind == FileKind::kDocx;
        ASSIGN_OR_RETURN(std::string text, docx ? ExtractDocxText(bytes) : ExtractOdtText(bytes));
        archive::Derivation dv;
        dv.artifact = "text";
        dv.tool = docx ? "attest-docx" : "attest-odt";
        dv.tool_version = "1";
        return FinishText(job, o, std::move(dv), {text}, false, lang);
      }
      case FileKind::kPdf: {
        if (o.blob.size > kMaxDocumentBytes) return TooLarge(o, kMaxDocumentBytes, "a PDF");
        ASSIGN_OR_RETURN(std::string bytes, ReadBlob(o.blob.sha256, kMaxDocumentBytes));
        ASSIGN_OR_RETURN(PdfText pdf, ExtractPdfText(bytes));
        s_->pages += pdf.pages.size();
        if (!HasTextLayer(pdf)) {
          return Finish(job, nullptr, {{"ocr", 0, o.blob.size, "", false}},
                        {{"next", "ocr"},
                         {"kind", "pdf"},
                         {"no_text_layer", true},
                         {"pages", pdf.pages.size()}});
        }
        archive::Derivation dv;
        dv.artifact = "text";
        dv.tool = "poppler";
        dv.tool_version = PopplerVersion();
        dv.params = {{"layout", "physical"}, {"bidi", "logical"}};
        dv.detected = {{"pages", pdf.pages.size()}};
        return FinishText(job, o, std::move(dv), std::move(pdf.pages), true, lang);
      }
    }
    return Status::InvalidArgument("unhandled file kind");
  }

  Status Ocr(const meta::Job& job) {
    ASSIGN_OR_RETURN(Original o, LoadOriginal(job));
    std::string head;
    ASSIGN_OR_RETURN(Sniffed kind, SniffOriginal(o, &head));
    if (o.blob.size > kMaxDocumentBytes) return TooLarge(o, kMaxDocumentBytes, "an image");
    ASSIGN_OR_RETURN(std::string bytes, ReadBlob(o.blob.sha256, kMaxDocumentBytes));
    std::string tess_lang = TesseractLanguage(o.version.lang);
    bool detect = tess_lang.empty();
    std::vector<OcrPage> pages;
    // Browsers show PNG and JPEG originals; pages of others are kept as JPEGs to show.
    ocr_.KeepPageImages(kind.kind != FileKind::kPng && kind.kind != FileKind::kJpeg);
    if (kind.kind == FileKind::kPdf) {
      RETURN_IF_ERROR(RenderPdfPages(bytes, kPdfDpi, [&](int, int w, int h, const uint8_t* g) {
        ASSIGN_OR_RETURN(OcrPage p, ocr_.Read(w, h, g, tess_lang));
        tess_lang = ocr_.last_language();  // a detected script holds for the whole document
        pages.push_back(std::move(p));
        ++s_->pages;
        return Status::Ok();
      }));
    } else if (kind.kind == FileKind::kPng || kind.kind == FileKind::kJpeg ||
               kind.kind == FileKind::kTiff) {
      ASSIGN_OR_RETURN(pages, ocr_.ReadImage(bytes, tess_lang));
      tess_lang = ocr_.last_language();
      s_->pages += pages.size();
    } else {
      return Status::InvalidArgument(std::string("OCR reads PDFs and images, not ") +
                                     FileKindName(kind.kind) + " files");
    }
    archive::Derivation dv;
    dv.artifact = "ocr";
    dv.tool = "tesseract";
    dv.tool_version = Ocr::Version();
    ASSIGN_OR_RETURN(dv.models, ocr_.Models(detect ? "osd+" + tess_lang : tess_lang));
    dv.params = {{"lang", detect ? "auto" : tess_lang}, {"psm", 3}, {"oem", "lstm"}};
    if (kind.kind == FileKind::kPdf) dv.params["dpi"] = kPdfDpi;
    int64_t conf = 0;
    for (const auto& p : pages) conf += p.confidence;
    dv.detected = {{"pages", pages.size()},
                   {"confidence", pages.empty() ? 0 : conf / static_cast<int64_t>(pages.size())}};
    if (detect) dv.detected["lang"] = tess_lang;
    std::vector<std::string> texts;
    for (const auto& p : pages) texts.push_back(p.text);
    // Word boxes, with offsets into the whole text (pages joined by U+000C).
    Json jpages = Json::array();
    int64_t offset = 0;
    for (size_t i = 0; i < pages.size(); ++i) {
      Json words = Json::array();
      for (const OcrWord& w : pages[i].words) {
        words.push_back({{"text", w.text},
                         {"box", {w.box[0], w.box[1], w.box[2], w.box[3]}},
                         {"confidence", w.confidence},
                         {"start", w.start + offset},
                         {"end", w.end + offset}});
      }
      jpages.push_back({{"page", i + 1},
                        {"width", pages[i].width},
                        {"height", pages[i].height},
                        {"confidence", pages[i].confidence},
                        {"words", words}});
      offset += static_cast<int64_t>(CodePoints(pages[i].text)) + 1;
    }
    ASSIGN_OR_RETURN(std::string ocr_json, CanonicalJson(Json{{"pages", jpages}}));
    std::string fallback_lang = o.version.lang;
    if (fallback_lang == "und") {
      fallback_lang = tess_lang == "heb" ? "he" : tess_lang == "ara" ? "ar" : "und";
    }
    std::vector<archive::DerivedBlob> extra = {{"ocr", std::move(ocr_json), ""}};
    for (auto& p : pages) {
      if (!p.image_jpeg.empty()) extra.push_back({"page", std::move(p.image_jpeg), ""});
    }
    return FinishText(job, o, std::move(dv), std::move(texts), true, fallback_lang,
                      std::move(extra));
  }

  // The registered speech model, loaded once a process. Checks that the file is still the one
  // registered (its SHA-256) before it is used: a transcript names the model that made it.
  Result<std::shared_ptr<asr::Transcriber>> LoadSpeechModel(const meta::ModelFile& m) {
    std::lock_guard<std::mutex> lock(s_->model_mu);
    if (s_->model_sha256 == m.sha256) {
      if (!s_->model_error.ok()) return s_->model_error;
      return s_->transcriber;
    }
    s_->model_sha256 = m.sha256;
    s_->transcriber.reset();
    s_->model_error = [&]() -> Status {
      ASSIGN_OR_RETURN(asr::ModelInfo info, asr::InspectModel(s_->env, m.path));
      if (info.sha256 != m.sha256) {
        return Status::InvalidArgument(
            "the speech model file " + m.path + " has changed since it was registered: its " +
            "SHA-256 is now " + info.sha256 + ", registered as " + m.sha256 +
            " (register the file again with `attest models add`, or put the original back)");
      }
      ASSIGN_OR_RETURN(auto t, asr::Transcriber::Load(m.path, s_->opts->use_gpu));
      s_->transcriber = std::move(t);
      return Status::Ok();
    }();
    if (!s_->model_error.ok()) return s_->model_error;
    return s_->transcriber;
  }

  // The names the archive spells its own way (places and people), as whisper's initial prompt.
  Result<std::string> Vocabulary(const Original& o) {
    std::vector<std::string> names;
    if (auto priv = ParseJson(o.version.private_json, "private metadata"); priv.ok()) {
      if (priv->contains("places") && (*priv)["places"].is_array()) {
        for (const auto& p : (*priv)["places"]) {
          if (p.is_string()) names.push_back(p.get<std::string>());
        }
      }
    }
    ASSIGN_OR_RETURN(auto listed, archive_->indexer().ListNames());
    for (const auto& [name, kind] : listed) names.push_back(name);
    std::string prompt;
    constexpr size_t kMaxPromptBytes = 600;  // well inside whisper's 224 prompt tokens
    for (const std::string& n : names) {
      if (prompt.find(n) != std::string::npos) continue;
      if (prompt.size() + n.size() + 2 > kMaxPromptBytes) break;
      if (!prompt.empty()) prompt += ", ";
      prompt += n;
    }
    return prompt;
  }

  // Speech to a transcript (or, with `translate`, an English translation) of the original.
  Status Transcribe(const meta::Job& job, bool translate) {
    ASSIGN_OR_RETURN(Original o, LoadOriginal(job));
    ASSIGN_OR_RETURN(blob::LocalFile local, archive_->records().LocalBlob(o.blob.sha256));
    const std::string& path = local.path();
    // Scheduled before extract looked for sound (an older archive): done, not waiting.
    if (auto info = ProbeMedia(path); info.ok() && info->audio_codec.empty()) {
      return Finish(job, nullptr, {}, {{"no_text", std::string(kNoAudio)}});
    }
    ASSIGN_OR_RETURN(auto model, archive_->models().Speech());
    if (!model) {
      return archive_->records().ParkJob(job.id, s_->owner, At(s_->env, 0), kNoSpeechModel);
    }
    ASSIGN_OR_RETURN(auto transcriber, LoadSpeechModel(*model));
    std::string name = o.file_name.empty() ? o.blob.sha256 : o.file_name;
    auto decoder = MediaDecoder::Open(path);
    if (!decoder.ok()) return Rename(decoder.status(), path, name);
    asr::TranscribeOptions opts;
    opts.translate = translate;
    // The archive's languages, the record's declared one first: it wins a window whose
    // languages whisper cannot tell apart.
    const std::string& declared = o.version.lang;
    std::sort(opts.languages.begin(), opts.languages.end());
    if (declared.size() == 2) {
      std::erase(opts.languages, declared);
      opts.languages.insert(opts.languages.begin(), declared);
    }
    ASSIGN_OR_RETURN(opts.prompt, Vocabulary(o));
    opts.threads = s_->asr_threads;
    const std::atomic<bool>* stop = s_->opts->stop;
    // How far it is, for the record's page: the audio read of the container's duration, written
    // when it has moved by 1% and 2 seconds have passed (a lost write is only a late figure).
    const int64_t duration = (*decoder)->info().duration_ms;
    int last_permille = -1;
    int64_t last_at = 0;
    opts.progress = [&, stop, duration](int64_t read_ms) {
      if (duration > 0) {
        const int permille = static_cast<int>(std::min<int64_t>(1000, read_ms * 1000 / duration));
        const int64_t now = s_->env->NowMicros();
        if (permille >= last_permille + 10 && now - last_at >= 2000000) {
          (void)archive_->records().SetJobProgress(job.id, s_->owner, permille);
          last_permille = permille;
          last_at = now;
        }
      }
      return !(stop && stop->load());
    };
    auto run = transcriber->Run(decoder->get(), opts);
    if (!run.ok()) {
      if (run.status().code() == Code::kUnavailable && stop && stop->load()) {
        RETURN_IF_ERROR(archive_->records().ReleaseJob(job.id, s_->owner, At(s_->env, 0)));
        return Status::Ok();  // stopped: the job goes back to the queue whole
      }
      return Rename(run.status(), path, name);
    }
    const asr::Transcript& t = *run;
    s_->audio_ms += t.duration_ms;
    if (t.segments.empty()) {
      return Finish(
          job, nullptr, {},
          {{"no_text", "no speech was found in " + FormatDuration(t.duration_ms) + " of audio"},
           {"windows", t.windows},
           {"silent_windows", t.silent_windows}});
    }
    archive::DerivedText d;
    archive::Derivation& dv = d.derivation;
    dv.from = job.version;
    dv.artifact = translate ? "translation" : "transcript";
    dv.tool = "whisper.cpp";
    dv.tool_version = asr::Transcriber::Version();
    dv.models = {{model->name, model->sha256}};
    dv.params = {{"beam_size", opts.beam_size},
                 {"languages", opts.languages},
                 {"prompt", opts.prompt},
                 {"task", translate ? "translate" : "transcribe"},
                 {"window_s", 30}};
    std::vector<Cue> cues;
    for (const asr::Segment& seg : t.segments) {
      Cue c{seg.start_ms,
            seg.end_ms,
            translate ? "en" : seg.lang,
            seg.text,
            Thousandths(seg.confidence),
            Thousandths(seg.no_speech)};
      for (const asr::Word& w : seg.words) {
        c.words.push_back({w.text, w.start_ms, w.end_ms, Thousandths(w.p)});
      }
      cues.push_back(std::move(c));
    }
    ASSIGN_OR_RETURN(BuiltTranscript built, BuildTranscript(cues, t.duration_ms));
    // What was spoken in which language (for a translation too: the languages it came from).
    std::map<std::string, int64_t> ms_by_lang;
    for (const asr::Segment& seg : t.segments) ms_by_lang[seg.lang] += seg.end_ms - seg.start_ms;
    Json speech = Json::object();
    for (const auto& [lang, ms] : ms_by_lang) speech[lang] = ms;
    dv.detected = {{"duration_ms", t.duration_ms},
                   {"windows", t.windows},
                   {"silent_windows", t.silent_windows},
                   {"bad_packets", (*decoder)->bad_packets()},
                   {"speech_ms", speech}};
    d.text = std::move(built.text);
    d.segments = std::move(built.segments);
    d.blobs.push_back({"transcript", std::move(built.json), ""});
    d.lang = built.lang;
    std::vector<meta::NewJob> next = {{"index", 0, 0, "", false, ""}};
    ASSIGN_OR_RETURN(bool translations, archive_->models().TranslateEnabled());
    bool foreign = false;
    for (const auto& [lang, ms] : ms_by_lang) foreign |= lang != "en";
    if (!translate && translations && foreign) {
      next.push_back({"translate", job.version, o.blob.size, "", false, ""});
    }
    return Finish(job, &d, next,
                  {{"artifact", dv.artifact},
                   {"segments", d.segments.size()},
                   {"duration_ms", t.duration_ms}});
  }

  // A copy browsers play, and a poster frame for video (doc/speech.md#access-copies).
  Status Access(const meta::Job& job) {
    ASSIGN_OR_RETURN(Original o, LoadOriginal(job));
    ASSIGN_OR_RETURN(blob::LocalFile local, archive_->records().LocalBlob(o.blob.sha256));
    const std::string& path = local.path();
    std::string name = o.file_name.empty() ? o.blob.sha256 : o.file_name;
    auto info = ProbeMedia(path);
    if (!info.ok()) return Rename(info.status(), path, name);
    AccessPlan plan = PlanAccess(*info);
    if (!plan.copy && !plan.poster) {
      return Finish(job, nullptr, {}, {{"access", "original"}});
    }
    std::string tmp = JoinPath(archive_->dir(), "blobs/tmp/" + s_->env->RandomHex(12));
    struct Cleanup {
      Env* env;
      std::string base;
      ~Cleanup() {
        (void)env->RemoveFile(base + ".access.part");
        (void)env->RemoveFile(base + ".poster.part");
      }
    } cleanup{s_->env, tmp};
    archive::DerivedText d = AccessVersion(job, o, "access");
    archive::Derivation& dv = d.derivation;
    dv.detected = {{"original", plan.copy ? plan.why : "plays in browsers"}};
    if (plan.copy) {
      dv.params = {{"video", kCopyVideo}, {"audio", kCopyAudio}};
      auto copy = MakeAccessCopy(path, tmp + ".access.part", name, s_->asr_threads);
      if (!copy.ok()) return Rename(copy.status(), path, name);
      d.blobs.push_back({"access", "", tmp + ".access.part"});
      dv.detected["mime"] = copy->mime;
      dv.detected["duration_ms"] = copy->duration_ms;
      if (copy->width > 0) dv.detected["size"] = {copy->width, copy->height};
    }
    if (plan.poster) {
      dv.params["poster"] = "jpeg at 1 s, at most 640 wide";
      Status st = MakePoster(path, tmp + ".poster.part", name);
      if (!st.ok()) return Rename(st, path, name);
      d.blobs.push_back({"poster", "", tmp + ".poster.part"});
    }
    return Finish(job, &d, {}, {{"artifact", "access"}, {"copy", plan.copy}});
  }

  // What an access copy's version says of how it was made (doc/speech.md#access-copies).
  static constexpr const char* kCopyVideo = "h264 crf 23 veryfast, at most 1280 wide";
  static constexpr const char* kCopyAudio = "aac 64 kbit/s a channel";
  static archive::DerivedText AccessVersion(const meta::Job& job, const Original& o,
                                            const char* artifact) {
    archive::DerivedText d;
    d.has_text = false;
    d.lang = o.version.lang;
    archive::Derivation& dv = d.derivation;
    dv.from = job.version;
    dv.artifact = artifact;
    dv.tool = "ffmpeg";
    dv.tool_version = MediaDecoder::Version();
    return d;
  }

  // A copy of a recording silenced over every redacted range of its record (doc/api.md,
  // "Redaction"): what callers who may not hear the hidden words are given to play.
  Status RedactAccess(const meta::Job& job) {
    ASSIGN_OR_RETURN(Original o, LoadOriginal(job));
    ASSIGN_OR_RETURN(auto redactions, archive_->consent().ListRedactions(job.record_id));
    std::vector<std::pair<int64_t, int64_t>> silence;
    for (const auto& r : redactions) {
      if (r.start_ms >= 0) silence.push_back({r.start_ms, r.end_ms});
    }
    std::sort(silence.begin(), silence.end());
    if (silence.empty()) return Finish(job, nullptr, {}, {{"silenced", Json::array()}});
    ASSIGN_OR_RETURN(blob::LocalFile local, archive_->records().LocalBlob(o.blob.sha256));
    const std::string& path = local.path();
    std::string name = o.file_name.empty() ? o.blob.sha256 : o.file_name;
    std::string tmp = JoinPath(archive_->dir(), "blobs/tmp/" + s_->env->RandomHex(12) + ".part");
    struct Cleanup {
      Env* env;
      std::string path;
      ~Cleanup() { (void)env->RemoveFile(path); }
    } cleanup{s_->env, tmp};
    auto copy = MakeAccessCopy(path, tmp, name, s_->asr_threads, silence);
    if (!copy.ok()) return Rename(copy.status(), path, name);
    Json ranges = Json::array();
    for (const auto& [from, to] : silence) ranges.push_back({from, to});
    archive::DerivedText d = AccessVersion(job, o, "access-redacted");
    archive::Derivation& dv = d.derivation;
    dv.params = {{"silenced", ranges}, {"video", kCopyVideo}, {"audio", kCopyAudio}};
    dv.detected = {{"mime", copy->mime}, {"duration_ms", copy->duration_ms}};
    d.blobs.push_back({"access", "", tmp});
    return Finish(job, &d, {}, {{"artifact", "access-redacted"}, {"silenced", ranges}});
  }

  // A media error names the blob's file; the archivist knows it by the name it was added as.
  static Status Rename(const Status& st, const std::string& path, const std::string& name) {
    std::string m = st.message();
    for (size_t at = m.find(path); at != std::string::npos; at = m.find(path, at + name.size())) {
      m.replace(at, path.size(), name);
    }
    return Status(st.code(), m);
  }

  // A probability in thousandths: canonical JSON holds integers only.
  static int Thousandths(float x) {
    return static_cast<int>(std::lround(std::clamp(x, 0.0f, 1.0f) * 1000.0f));
  }

  static std::string FormatDuration(int64_t ms) {
    int64_t s = ms / 1000;
    char buf[32];
    snprintf(buf, sizeof buf, "%lld:%02lld:%02lld", static_cast<long long>(s / 3600),
             static_cast<long long>(s / 60 % 60), static_cast<long long>(s % 60));
    return buf;
  }

  // Segments, languages and the derived version of `pages` of text.
  Status FinishText(const meta::Job& job, const Original& o, archive::Derivation dv,
                    std::vector<std::string> pages, bool paged, const std::string& declared,
                    std::vector<archive::DerivedBlob> blobs = {}) {
    archive::DerivedText d;
    dv.from = job.version;
    d.blobs = std::move(blobs);
    std::map<std::string, int64_t> chars_by_lang;
    int64_t offset = 0;
    for (size_t i = 0; i < pages.size(); ++i) {
      if (i > 0) d.text += '\f';
      d.text += pages[i];
      auto paragraphs = paged ? text::SplitBlocks(pages[i]) : text::SplitParagraphs(pages[i]);
      for (auto& p : paragraphs) {
        meta::Segment g;
        g.page = paged ? static_cast<int>(i + 1) : -1;
        g.char_start = offset + p.char_start;
        g.char_end = offset + p.char_end;
        g.lang = s_->langid ? s_->langid->Identify(p.text, declared).lang : declared;
        chars_by_lang[g.lang] += p.char_end - p.char_start;
        g.text = std::move(p.text);
        d.segments.push_back(std::move(g));
      }
      offset += static_cast<int64_t>(CodePoints(pages[i])) + 1;
    }
    if (s_->langid) {
      dv.models.emplace_back("lid.176.ftz", s_->langid_sha256);
      std::sort(dv.models.begin(), dv.models.end());
    }
    d.lang = declared;
    int64_t best = 0;
    for (const auto& [lang, n] : chars_by_lang) {
      if (n > best) best = n, d.lang = lang;
    }
    d.derivation = std::move(dv);
    return Finish(job, &d, {{"index", 0, 0, "", false}},
                  {{"artifact", d.derivation.artifact}, {"segments", d.segments.size()}});
  }

  Shared* s_;
  archive::Archive* archive_;
  ingest::Ocr ocr_;
};

// Jobs left running by a process of this host that no longer exists go back to the queue.
Status ReleaseOrphans(archive::Records* records, Env* env, const std::string& host) {
  ASSIGN_OR_RETURN(auto running, records->ListJobs({meta::JobState::kRunning, "", "", 0}));
  for (const meta::Job& j : running) {
    size_t a = j.lease_owner.find('/');
    size_t b = j.lease_owner.find('/', a == std::string::npos ? 0 : a + 1);
    if (a == std::string::npos || b == std::string::npos) continue;
    if (j.lease_owner.substr(0, a) != host) continue;
    int pid = std::atoi(j.lease_owner.substr(a + 1, b - a - 1).c_str());
    bool gone = pid <= 0 || (kill(pid, 0) != 0 && errno == ESRCH) || pid == getpid();
    if (gone) RETURN_IF_ERROR(records->ReleaseJob(j.id, j.lease_owner, At(env, 0)));
  }
  return Status::Ok();
}

void Report(Shared* s, archive::Records* records, const std::optional<meta::Job>& job) {
  if (!s->opts->on_progress) return;
  auto counts = records->CountJobs(s->opts->batch);
  if (!counts.ok()) return;
  std::lock_guard<std::mutex> lock(s->progress_mu);
  Progress p;
  p.counts = *counts;
  p.pages = s->pages;
  p.audio_ms = s->audio_ms;
  p.elapsed_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - s->start).count();
  if (p.elapsed_s > 0) {
    p.items_per_s = static_cast<double>(s->finished) / p.elapsed_s;
    p.bytes_per_s = static_cast<double>(s->bytes) / p.elapsed_s;
  }
  uint64_t left = p.counts.queued + p.counts.running;
  if (p.items_per_s > 0) p.eta_s = static_cast<double>(left) / p.items_per_s;
  if (left == 0) p.eta_s = 0;
  p.job = job;
  s->opts->on_progress(p);
}

void WorkLoop(Shared* s) {
  auto fail = [s](const Status& st) {
    std::lock_guard<std::mutex> lock(s->error_mu);
    if (s->first_error.ok()) s->first_error = st;
  };
  auto archive = archive::Archive::Open(s->env, s->dir);
  if (!archive.ok()) return fail(archive.status());
  archive::Records* records = &(*archive)->records();
  JobRunner runner(s, archive->get());
  const WorkerOptions& o = *s->opts;
  while (!(o.stop && o.stop->load())) {
    auto job = records->LeaseJob(s->owner, At(s->env, 0), At(s->env, o.lease_seconds), o.kinds);
    if (!job.ok()) return fail(job.status());
    if (!job->has_value()) {
      if (o.until_idle) {
        auto counts = records->CountJobs("");
        if (!counts.ok()) return fail(counts.status());
        if (counts->queued == 0 && counts->running == 0) return;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(200));
      continue;
    }
    Status st = runner.Run(**job);
    if (!st.ok()) return fail(st);
    ++s->finished;
    s->bytes += (*job)->bytes;
    auto after = records->GetJob((*job)->id);
    Report(s, records, after.ok() ? std::optional<meta::Job>(*after) : *job);
  }
}

}  // namespace

Status RunWorker(Env* env, const std::string& archive_dir, const WorkerOptions& opts) {
  if (opts.threads < 1 || opts.threads > 256) {
    return Status::InvalidArgument("--jobs must be 1 to 256, not " + std::to_string(opts.threads));
  }
  for (const std::string& k : opts.kinds) {
    static const char* kKinds[] = {"extract", "ocr",   "transcribe",   "translate",
                                   "access",  "index", "redact-access"};
    if (std::find(std::begin(kKinds), std::end(kKinds), k) == std::end(kKinds)) {
      return Status::InvalidArgument("--kinds: '" + k +
                                     "' is not a kind of job (extract, ocr, transcribe, translate, "
                                     "access, index, redact-access)");
    }
  }
  Shared s;
  s.env = env;
  s.dir = archive_dir;
  s.opts = &opts;
  s.asr_threads =
      opts.asr_threads > 0
          ? opts.asr_threads
          : std::max(1, static_cast<int>(std::thread::hardware_concurrency()) / opts.threads);
  std::string host = Hostname();
  s.owner = host + "/" + std::to_string(getpid()) + "/" + env->RandomHex(4);
  {
    // The archive is opened once first: its log and index are brought up to date before the
    // threads start, and orphaned jobs of this host are released.
    ASSIGN_OR_RETURN(auto archive, archive::Archive::Open(env, archive_dir));
    RETURN_IF_ERROR(ReleaseOrphans(&archive->records(), env, host));
    Report(&s, &archive->records(), std::nullopt);
  }
  {
    // A model registered while an extract job was scheduling its transcription may have left
    // the job waiting: it runs now.
    ASSIGN_OR_RETURN(auto archive, archive::Archive::Open(env, archive_dir));
    ASSIGN_OR_RETURN(auto model, archive->models().Speech());
    if (model) {
      RETURN_IF_ERROR(archive->records().WakeJobs("transcribe", At(env, 0)).status());
      RETURN_IF_ERROR(archive->records().WakeJobs("translate", At(env, 0)).status());
    }
  }
  if (auto id = text::LanguageIdentifier::Load(text::DefaultLanguageModelPath()); id.ok()) {
    s.langid = std::move(*id);
    auto bytes = env->ReadFile(text::DefaultLanguageModelPath());
    if (bytes.ok()) s.langid_sha256 = ToHex(Sha256(*bytes));
  }
  std::atomic<bool> done{false};
  std::thread heartbeat([&] {
    auto store = meta::OpenSqliteStore(JoinPath(archive_dir, "attest.db"), false);
    if (!store.ok()) return;
    int period_ms = std::max(1, opts.lease_seconds / 3) * 1000;
    while (!done) {
      for (int waited = 0; waited < period_ms && !done; waited += 100) {
        std::this_thread::sleep_for(std::chrono::milliseconds(100));
      }
      if (!done) (void)(*store)->RenewLeases(s.owner, At(env, opts.lease_seconds));
    }
  });
  std::vector<std::thread> threads;
  for (int i = 0; i < opts.threads; ++i) threads.emplace_back(WorkLoop, &s);
  for (auto& t : threads) t.join();
  done = true;
  heartbeat.join();
  return s.first_error;
}

}  // namespace attest::ingest

// Speech through the archive: audio and video added, transcribed by jobs with a whisper model the
// test writes (random weights, the real file format), indexed with times, exported and imported.
// The speech is synthetic (espeak-ng reading sample sentences, and whisper.cpp's jfk.wav).
#include <gtest/gtest.h>

#include <cstdlib>
#include <fstream>

#include "archive/archive.h"
#include "archive/testing.h"
#include "asr/model.h"
#include "core/json.h"
#include "core/temp_dir.h"
#include "ingest/access_copy.h"
#include "ingest/media.h"
#include "ingest/models.h"
#include "ingest/transcripts.h"
#include "ingest/worker.h"

namespace attest::ingest {
namespace {

using archive::AddOptions;
using archive::Archive;
using archive::BlobsForTesting;
using archive::StoreForTesting;

void Shell(const std::string& cmd) { ASSERT_EQ(std::system(cmd.c_str()), 0) << cmd; }

std::string Jfk() {
  return std::string(ATTEST_SOURCE_DIR) +
         "/third_party/_src/whisper.cpp/bindings/go/samples/jfk.wav";
}

std::string ReadAll(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string((std::istreambuf_iterator<char>(in)), {});
}

class SpeechTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    models_dir_ = new TempDir("attest-speech-models");
    models_ = new std::string(models_dir_->path());
    auto shape = asr::ShapeNamed("test");
    ASSERT_TRUE(shape.ok());
    std::vector<std::string> words = {"שלום", "سلام", "hello", "bonjour", "sample", "rights"};
    ASSERT_TRUE(
        asr::WriteRandomModel(Env::Default(), *models_ + "/ggml-test.bin", *shape, words, 7).ok());
  }
  static void TearDownTestSuite() {
    delete models_;
    delete models_dir_;
  }

  void SetUp() override {
    tmp_ = temp_dir_.path();
    dir_ = tmp_ + "/archive";
    ASSERT_TRUE(Archive::Init(Env::Default(), dir_, "example.org/test").ok());
    archive_ = *Archive::Open(Env::Default(), dir_);
  }
  void RunJobs(std::function<Status(const meta::Job&)> before_run = nullptr) {
    WorkerOptions w;
    w.before_run = before_run;
    w.until_idle = true;
    w.threads = 2;
    w.asr_threads = 1;
    Status st = RunWorker(Env::Default(), dir_, w);
    ASSERT_TRUE(st.ok()) << st.ToString();
  }
  std::string Model() { return *models_ + "/ggml-test.bin"; }
  std::vector<meta::Job> Jobs(const std::string& record, const std::string& kind) {
    std::vector<meta::Job> out;
    for (auto& j : *StoreForTesting(archive_.get())->ListJobs({std::nullopt, "", record, 0})) {
      if (j.kind == kind) out.push_back(j);
    }
    return out;
  }
  Json Derived(const meta::Version& v) { return (*ParseJson(v.manifest, "manifest"))["derived"]; }
  // The newest version of `artifact` (transcript, access, ...); 0 if none.
  int VersionOf(const std::string& id, const std::string& artifact) {
    int found = 0;
    meta::Record r = *archive_->records().Get(id);
    for (const auto& v : r.versions) {
      if (StringMember(Derived(v), "artifact") == artifact) found = v.version;
    }
    return found;
  }

  static TempDir* models_dir_;
  static std::string* models_;
  TempDir temp_dir_{"attest-speech"};  // removed after archive_ is closed
  std::string tmp_, dir_;
  std::unique_ptr<Archive> archive_;
};
TempDir* SpeechTest::models_dir_ = nullptr;
std::string* SpeechTest::models_ = nullptr;

// Segments of one version: in time order, not overlapping, each with its text.
void ExpectOrdered(const std::vector<meta::SegmentState>& segs, int version, int64_t duration) {
  int64_t prev = 0;
  size_t n = 0;
  for (const auto& st : segs) {
    const meta::Segment& g = st.segment;
    if (g.version != version) continue;
    ++n;
    EXPECT_GE(g.start_ms, prev);
    EXPECT_LE(g.start_ms, g.end_ms);
    EXPECT_LE(g.end_ms, duration + 10);
    EXPECT_FALSE(g.text.empty());
    prev = g.end_ms;
  }
  EXPECT_GT(n, 0u);
}

TEST_F(SpeechTest, MediaWaitsForAModelThenIsTranscribedWithProvenanceAndIndexedWithTimes) {
  AddOptions opts;
  opts.lang = "en";
  auto added = archive_->records().Add({Jfk()}, opts);
  ASSERT_TRUE(added.ok()) << added.status().ToString();
  std::string id = (*added)[0].id;
  RunJobs();
  auto waiting = Jobs(id, "transcribe");
  ASSERT_EQ(waiting.size(), 1u);
  EXPECT_EQ(waiting[0].state, meta::JobState::kWaiting);
  EXPECT_NE(waiting[0].error.find("attest models add"), std::string::npos) << waiting[0].error;

  auto model = AddModel(Env::Default(), archive_.get(), Model());
  ASSERT_TRUE(model.ok()) << model.status().ToString();
  EXPECT_EQ(model->woken, 1);
  RunJobs();
  ASSERT_EQ(Jobs(id, "transcribe")[0].state, meta::JobState::kDone)
      << Jobs(id, "transcribe")[0].error;
  // While it ran, the worker said how far it was (the first window's share of the audio at
  // least); the record's page shows it for running jobs.
  EXPECT_GT(Jobs(id, "transcribe")[0].progress, 0);
  EXPECT_LE(Jobs(id, "transcribe")[0].progress, 1000);
  meta::Record r = *archive_->records().Get(id);
  int tv = VersionOf(id, "transcript");
  ASSERT_GT(tv, 1);
  Json d = Derived(r.versions[tv - 1]);
  EXPECT_EQ(d["artifact"], "transcript");
  EXPECT_EQ(d["tool"], "whisper.cpp");
  EXPECT_EQ(d["from"], 1);
  EXPECT_EQ(d["models"][0]["sha256"], model->model.sha256);
  EXPECT_EQ(d["models"][0]["name"], "ggml-test.bin");
  EXPECT_EQ(d["params"]["beam_size"], 5);
  EXPECT_EQ(d["params"]["task"], "transcribe");
  EXPECT_EQ(d["detected"]["duration_ms"], 11000);
  auto segs = *StoreForTesting(archive_.get())->RecordSegments(id);
  ExpectOrdered(segs, tv, 11000);
  // The transcript blob and the stored segments agree; export parses back to the same.
  auto doc = LoadTranscript(archive_.get(), id, std::nullopt);
  ASSERT_TRUE(doc.ok()) << doc.status().ToString();
  std::vector<meta::Segment> stored;
  for (const auto& st : segs) {
    if (st.segment.version == tv) stored.push_back(st.segment);
  }
  ASSERT_EQ(doc->cues.size(), stored.size());
  Json blob = *ParseJson(doc->json, "transcript");
  const Json& first = blob["segments"][0];
  EXPECT_GE(first["confidence"].get<int>(), 0);
  EXPECT_LE(first["confidence"].get<int>(), 1000);
  ASSERT_FALSE(first["words"].empty());  // word times, inside the segment
  EXPECT_GE(first["words"][0]["start_ms"].get<int64_t>(), first["start_ms"].get<int64_t>());
  for (const std::string format : {"vtt", "srt"}) {
    auto text = FormatTranscript(*doc, format);
    ASSERT_TRUE(text.ok());
    std::string got_format;
    auto back = ParseCaptions(*text, "export." + format, &got_format);
    ASSERT_TRUE(back.ok()) << back.status().ToString() << "\n" << *text;
    EXPECT_EQ(got_format, format);
    ASSERT_EQ(back->size(), stored.size()) << *text;
    for (size_t i = 0; i < stored.size(); ++i) {
      EXPECT_EQ((*back)[i].start_ms, stored[i].start_ms);
      EXPECT_EQ((*back)[i].end_ms, stored[i].end_ms);
      EXPECT_EQ((*back)[i].text, stored[i].text);
    }
  }
  // Search finds a segment's words and says when they were said.
  search::SearchRequest req;
  req.query = "\"" + stored[0].text.substr(0, stored[0].text.find(' ')) + "\"";
  req.role = search::Role::kArchivist;
  auto found = archive_->finder().Search(req);
  ASSERT_TRUE(found.ok()) << found.status().ToString();
  ASSERT_FALSE(found->records.empty()) << req.query;
  bool timed = false;
  for (const auto& hit : found->records[0].hits) timed |= hit.start_ms >= 0;
  EXPECT_TRUE(timed);
  EXPECT_TRUE(archive_->verifier().Verify()->ok);
}

TEST_F(SpeechTest, ABadModelFileIsNamedAndNothingIsRegistered) {
  std::string data = ReadAll(Model());
  std::ofstream(tmp_ + "/cut.bin", std::ios::binary) << data.substr(0, data.size() / 2);
  std::ofstream(tmp_ + "/notes.bin", std::ios::binary) << "these are not weights\n";
  auto cut = AddModel(Env::Default(), archive_.get(), tmp_ + "/cut.bin");
  EXPECT_EQ(cut.status().code(), Code::kInvalidArgument);
  EXPECT_NE(cut.status().message().find("cut.bin"), std::string::npos);
  EXPECT_NE(cut.status().message().find("truncated"), std::string::npos) << cut.status().message();
  auto notes = AddModel(Env::Default(), archive_.get(), tmp_ + "/notes.bin");
  EXPECT_NE(notes.status().message().find("not a whisper model"), std::string::npos)
      << notes.status().message();
  auto missing = AddModel(Env::Default(), archive_.get(), tmp_ + "/absent.bin");
  EXPECT_FALSE(missing.ok());
  EXPECT_NE(missing.status().message().find("absent.bin"), std::string::npos);
  EXPECT_TRUE(StoreForTesting(archive_.get())->ListModels("")->empty());
}

TEST_F(SpeechTest, BadMediaAndAChangedModelFailTheirOwnJobsAndTheBatchGoesOn) {
  Shell("ffmpeg -loglevel error -f lavfi -i testsrc=size=64x48:rate=5 -t 1 -an -c:v mpeg4 " + tmp_ +
        "/silent-film.mp4");
  std::string mp3 =
      ReadAll(std::string(ATTEST_SOURCE_DIR) + "/third_party/_src/whisper.cpp/samples/jfk.mp3");
  std::string corrupt = mp3.substr(0, 4096);
  for (size_t i = 4096; i < mp3.size(); ++i) corrupt += static_cast<char>(mp3[i] ^ 0x5a);
  std::ofstream(tmp_ + "/corrupt.mp3", std::ios::binary) << corrupt;
  Shell("sox -n -r 16000 -c 1 -b 16 " + tmp_ + "/zero.wav trim 0 0");
  // Six hours of silence: read through, every window skipped, no speech, no transcript.
  Shell("sox -n -r 16000 -c 1 -b 16 " + tmp_ + "/six-hours.flac trim 0 6:00:00");
  std::ofstream(tmp_ + "/note.txt") << "Sample note: the batch goes on.";
  ASSERT_TRUE(AddModel(Env::Default(), archive_.get(), Model()).ok());
  auto added =
      archive_->records().Add({tmp_ + "/silent-film.mp4", tmp_ + "/corrupt.mp3", tmp_ + "/zero.wav",
                               tmp_ + "/six-hours.flac", tmp_ + "/note.txt", Jfk()},
                              AddOptions());
  ASSERT_TRUE(added.ok()) << added.status().ToString();
  // Access copies are tested on their own (six hours of AAC would take minutes).
  auto no_copies = [](const meta::Job& j) {
    return j.kind == "access" ? Status::InvalidArgument("not in this test") : Status::Ok();
  };
  RunJobs(no_copies);
  auto job = [&](int i) {
    auto t = Jobs((*added)[i].id, "transcribe");
    return t.empty() ? meta::Job() : t[0];
  };
  // A film without sound has nothing to transcribe: its extract says so, and that is all.
  EXPECT_EQ(job(0).id, 0) << job(0).kind;
  auto extract = Jobs((*added)[0].id, "extract");
  ASSERT_EQ(extract.size(), 1u);
  EXPECT_EQ(extract[0].state, meta::JobState::kDone) << extract[0].error;
  EXPECT_NE(extract[0].outcome.find("no audio stream: nothing to transcribe"), std::string::npos)
      << extract[0].outcome;
  EXPECT_EQ(job(1).state == meta::JobState::kFailed || job(1).state == meta::JobState::kDone, true);
  if (job(1).state == meta::JobState::kFailed) {
    EXPECT_NE(job(1).error.find("corrupt.mp3"), std::string::npos) << job(1).error;
  }
  EXPECT_EQ(job(2).state, meta::JobState::kDone) << job(2).error;
  EXPECT_NE(job(2).outcome.find("no speech"), std::string::npos) << job(2).outcome;
  EXPECT_EQ(job(3).state, meta::JobState::kDone) << job(3).error;
  EXPECT_NE(job(3).outcome.find("no speech was found in 6:00:00"), std::string::npos)
      << job(3).outcome;
  EXPECT_EQ(archive_->records().Get((*added)[3].id)->versions.size(), 1u);
  EXPECT_EQ(archive_->records().Get((*added)[4].id)->versions.size(), 2u);  // the text
  EXPECT_EQ(job(5).state, meta::JobState::kDone) << job(5).error;

  // The registered file is replaced by a damaged one: its jobs fail saying so, and nothing
  // is transcribed by a model the transcript would not name.
  std::string data = ReadAll(Model());
  std::string moved = tmp_ + "/ggml-moved.bin";
  std::ofstream(moved, std::ios::binary) << data;
  ASSERT_TRUE(AddModel(Env::Default(), archive_.get(), moved).ok());
  std::ofstream(moved, std::ios::binary | std::ios::trunc) << data.substr(0, data.size() - 100);
  auto again = archive_->records().Add({Jfk()}, AddOptions());  // the same bytes: a new version
  ASSERT_TRUE(again.ok());
  auto other = archive_->records().Add({tmp_ + "/note.txt"}, AddOptions());
  ASSERT_TRUE(other.ok());
  RunJobs(no_copies);
  auto failed = Jobs((*again)[0].id, "transcribe");
  ASSERT_FALSE(failed.empty());
  meta::Job last = failed.back();
  EXPECT_EQ(last.state, meta::JobState::kFailed);
  EXPECT_NE(last.error.find("ggml-moved.bin"), std::string::npos) << last.error;
  EXPECT_EQ(archive_->records().Get((*other)[0].id)->versions.size(), 2u);
}

TEST_F(SpeechTest, ACorrectedTranscriptIsANewVersionWithHumanProvenance) {
  ASSERT_TRUE(AddModel(Env::Default(), archive_.get(), Model()).ok());
  AddOptions opts;
  opts.lang = "he";
  auto added = archive_->records().Add({Jfk()}, opts);
  ASSERT_TRUE(added.ok());
  std::string id = (*added)[0].id;
  RunJobs();
  // Cues in Hebrew with a number and a Latin name inside, isolates as attest writes them.
  std::string vtt =
      "WEBVTT\n\nNOTE corrected in a subtitle editor\n\n1\n00:00:00.500 --> 00:00:03.000\n"
      "\xE2\x81\xA7\xD7\x93\xD7\x95\xD7\x92\xD7\x9E\xD7\x94 7 "
      "Kfar Aza\xE2\x81\xA9\n\n00:03.000 --> 00:00:05.250 align:start\n<v Witness>sample "
      "&amp; text</v>\n\n";
  std::ofstream(tmp_ + "/fixed.vtt") << vtt;
  int machine = VersionOf(id, "transcript");
  auto v = ImportTranscript(Env::Default(), archive_.get(), id, tmp_ + "/fixed.vtt", "A. Archivist",
                            std::nullopt);
  ASSERT_TRUE(v.ok()) << v.status().ToString();
  meta::Record r = *archive_->records().Get(id);
  ASSERT_EQ(v->version, static_cast<int>(r.versions.size()));
  Json d = Derived(r.versions.back());
  EXPECT_EQ(d["tool"], "human");
  EXPECT_EQ(d["from"], 1);
  EXPECT_EQ(d["params"]["by"], "A. Archivist");
  EXPECT_EQ(d["params"]["file"], "fixed.vtt");
  EXPECT_EQ(d["params"]["format"], "vtt");
  auto doc = LoadTranscript(archive_.get(), id, std::nullopt);
  ASSERT_TRUE(doc.ok());
  EXPECT_EQ(doc->version, v->version);
  ASSERT_EQ(doc->cues.size(), 2u);
  EXPECT_EQ(doc->cues[0].text, "\xD7\x93\xD7\x95\xD7\x92\xD7\x9E\xD7\x94 7 Kfar Aza");
  EXPECT_EQ(doc->cues[1].text, "sample & text");
  EXPECT_EQ(doc->cues[1].start_ms, 3000);
  EXPECT_EQ(doc->cues[1].end_ms, 5250);
  // Exported again, the Hebrew cue is isolated right to left; the machine version stays.
  std::string out = *FormatTranscript(*doc, "vtt");
  EXPECT_EQ(out.rfind("WEBVTT\n", 0), 0u);
  EXPECT_EQ(doc->cues[0].lang, "he");
  EXPECT_NE(out.find("\xE2\x81\xA7\xD7\x93"), std::string::npos) << out;
  EXPECT_EQ(LoadTranscript(archive_.get(), id, machine)->tool, "whisper.cpp");

  // Overlapping or malformed cues are named by line, and nothing is added.
  std::ofstream(tmp_ + "/bad.srt") << "1\n00:00:01,000 --> 00:00:04,000\nfirst\n\n2\n"
                                      "00:00:03,000 --> 00:00:05,000\nsecond\n";
  auto bad = ImportTranscript(Env::Default(), archive_.get(), id, tmp_ + "/bad.srt", "", {});
  EXPECT_EQ(bad.status().code(), Code::kInvalidArgument);
  EXPECT_NE(bad.status().message().find("bad.srt:6:"), std::string::npos) << bad.status().message();
  std::ofstream(tmp_ + "/garbled.vtt") << "WEBVTT\n\n00:00:01.000 -> 00:00:02.000\nx\n";
  auto garbled =
      ImportTranscript(Env::Default(), archive_.get(), id, tmp_ + "/garbled.vtt", "", {});
  EXPECT_NE(garbled.status().message().find("garbled.vtt:3:"), std::string::npos)
      << garbled.status().message();
  EXPECT_EQ(archive_->records().Get(id)->versions.size(), r.versions.size());
}

// With translations on, speech in another language gets a second derived version, English,
// labelled as a machine translation; English speech does not.
TEST_F(SpeechTest, TranslationsAreASecondVersionLabelledAsMachineTranslation) {
  ASSERT_TRUE(AddModel(Env::Default(), archive_.get(), Model()).ok());
  ASSERT_TRUE(archive_->models().SetTranslate(true).ok());
  AddOptions he;
  he.lang = "he";
  auto added = archive_->records().Add({Jfk()}, he);
  ASSERT_TRUE(added.ok());
  std::string id = (*added)[0].id;
  RunJobs();
  int tv = VersionOf(id, "transcript"), xv = VersionOf(id, "translation");
  ASSERT_GT(tv, 0);
  ASSERT_GT(xv, 0) << Jobs(id, "translate").size();
  meta::Record r = *archive_->records().Get(id);
  Json d = Derived(r.versions[xv - 1]);
  EXPECT_EQ(d["from"], 1);  // made from the audio, not from the transcript's text
  EXPECT_EQ(d["params"]["task"], "translate");
  EXPECT_EQ(r.versions[xv - 1].lang, "en");
  for (const auto& st : *StoreForTesting(archive_.get())->RecordSegments(id)) {
    if (st.segment.version == xv) {
      EXPECT_EQ(st.segment.lang, "en");
    }
  }
  auto doc = LoadTranscript(archive_.get(), id, xv);
  ASSERT_TRUE(doc.ok());
  EXPECT_EQ(doc->artifact, "translation");
  EXPECT_NE(FormatTranscript(*doc, "vtt")->find("machine translation: not the witness's words"),
            std::string::npos);
  EXPECT_EQ(LoadTranscript(archive_.get(), id, std::nullopt)->version, tv);  // the words spoken

  AddOptions en;
  en.lang = "en";
  auto english = archive_->records().Add({Jfk()}, en);
  ASSERT_TRUE(english.ok());
  RunJobs();
  EXPECT_GT(VersionOf((*english)[0].id, "transcript"), 0);
  EXPECT_EQ(VersionOf((*english)[0].id, "translation"), 0);
  EXPECT_TRUE(Jobs((*english)[0].id, "translate").empty());
}

// A video browsers do not play (AVI with MPEG-4 Part 2 and MP3) gets an MP4 access copy and a
// poster; the original stays what it was, and the copy is logged as a derived version.
TEST_F(SpeechTest, MediaBrowsersDoNotPlayGetsAnAccessCopyAndAPoster) {
  Shell("espeak-ng -v en -w " + tmp_ + "/en.wav 'This is a sample recording for an access copy.'");
  Shell("ffmpeg -loglevel error -f lavfi -i testsrc=size=320x240:rate=10 -i " + tmp_ +
        "/en.wav -shortest -c:v mpeg4 -c:a libmp3lame " + tmp_ + "/clip.avi");
  Shell("sox " + tmp_ + "/en.wav -r 8000 -c 1 -t amr-nb " + tmp_ + "/phone.amr");
  auto added =
      archive_->records().Add({tmp_ + "/clip.avi", tmp_ + "/phone.amr", Jfk()}, AddOptions());
  ASSERT_TRUE(added.ok()) << added.status().ToString();
  RunJobs();
  auto blobs_of = [&](const std::string& id) {
    std::map<std::string, std::string> roles;
    meta::Record r = *archive_->records().Get(id);
    for (const auto& v : r.versions) {
      if (StringMember(Derived(v), "artifact") != "access") continue;
      for (const auto& b : v.blobs) roles[b.role] = b.sha256;
    }
    return roles;
  };
  auto shas = blobs_of((*added)[0].id);
  ASSERT_EQ(shas.count("access"), 1u) << Jobs((*added)[0].id, "access")[0].error;
  ASSERT_EQ(shas.count("poster"), 1u);
  EXPECT_EQ(shas["original"], (*added)[0].sha256);
  // The record is restricted (the default), so its files are encrypted at rest and read here
  // through their plaintext in memory.
  EXPECT_TRUE(*BlobsForTesting(archive_.get())->IsEncrypted(shas["access"]));
  blob::LocalFile access = *BlobsForTesting(archive_.get())->Local(shas["access"]);
  blob::LocalFile poster = *BlobsForTesting(archive_.get())->Local(shas["poster"]);
  std::map<std::string, std::string> video = {{"access", access.path()}, {"poster", poster.path()}};
  auto info = ProbeMedia(video["access"]);
  ASSERT_TRUE(info.ok()) << info.status().ToString();
  EXPECT_NE(info->container.find("mp4"), std::string::npos);
  EXPECT_EQ(info->video_codec, "h264");
  EXPECT_EQ(info->audio_codec, "aac");
  EXPECT_EQ(info->width, 320);
  std::string mp4 = ReadAll(video["access"]);
  EXPECT_LT(mp4.find("moov"), mp4.find("mdat"));  // the index first: plays while it loads
  std::string jpeg = ReadAll(video["poster"]);
  ASSERT_GT(jpeg.size(), 100u);
  EXPECT_EQ(jpeg.substr(0, 2), "\xFF\xD8");
  // The copy has the same speech, within codec framing.
  auto a = MediaDecoder::Open(video["access"]);
  auto b = MediaDecoder::Open(tmp_ + "/en.wav");
  ASSERT_TRUE(a.ok() && b.ok());
  std::vector<float> buf(16000);
  while (*(*a)->Read(buf.data(), buf.size()) > 0) {
  }
  while (*(*b)->Read(buf.data(), buf.size()) > 0) {
  }
  EXPECT_NEAR((*a)->samples() / 16000.0, (*b)->samples() / 16000.0, 0.15);

  auto phone = blobs_of((*added)[1].id);
  ASSERT_EQ(phone.count("access"), 1u) << Jobs((*added)[1].id, "access")[0].error;
  EXPECT_EQ(phone.count("poster"), 0u);
  blob::LocalFile phone_access = *BlobsForTesting(archive_.get())->Local(phone["access"]);
  info = ProbeMedia(phone_access.path());
  ASSERT_TRUE(info.ok());
  EXPECT_EQ(info->audio_codec, "aac");
  EXPECT_TRUE(info->video_codec.empty());
  // A WAV is not what browsers are sure to play either; an MP3 would be served as it is.
  EXPECT_FALSE(PlanAccess({"mp3", "mp3"}).copy);
  EXPECT_FALSE(PlanAccess({"mov,mp4,m4a,3gp,3g2,mj2", "aac", "h264"}).copy);
  EXPECT_TRUE(PlanAccess({"mov,mp4,m4a,3gp,3g2,mj2", "aac", "h264"}).poster);
  MediaInfo mov{"mov,mp4,m4a,3gp,3g2,mj2", "aac", "h264"};
  mov.brand = "qt  ";
  EXPECT_TRUE(PlanAccess(mov).copy);
  EXPECT_FALSE(PlanAccess({"ogg", "opus"}).copy);
  EXPECT_TRUE(PlanAccess({"matroska,webm", "flac", "h264"}).copy);
  EXPECT_TRUE(archive_->verifier().Verify()->ok);
}

// A standard WebVTT reader (FFmpeg's) accepts what attest writes, cue for cue.
TEST_F(SpeechTest, ExportedWebVttIsReadByFfmpeg) {
  TranscriptDoc doc;
  doc.record = "r";
  doc.cues = {{0, 1500, "ar", "سلام 1948 & a < b"},
              {1500, 4000, "en", "sample --> arrow"},
              {3723004, 3725000, "he", "שלום"}};
  std::ofstream(tmp_ + "/t.vtt") << *FormatTranscript(doc, "vtt");
  Shell("ffmpeg -loglevel error -i " + tmp_ + "/t.vtt -f srt " + tmp_ + "/t.srt");
  std::string format;
  auto back = ParseCaptions(ReadAll(tmp_ + "/t.srt"), "t.srt", &format);
  ASSERT_TRUE(back.ok()) << back.status().ToString();
  ASSERT_EQ(back->size(), 3u);
  EXPECT_EQ((*back)[2].start_ms, 3723004);
  EXPECT_EQ((*back)[0].text, "سلام 1948 & a < b") << ReadAll(tmp_ + "/t.srt");
  EXPECT_EQ((*back)[1].text, "sample --> arrow");
}

}  // namespace
}  // namespace attest::ingest

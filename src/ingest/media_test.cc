#include "ingest/media.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <fstream>

#include "core/temp_dir.h"

namespace attest::ingest {
namespace {

void Shell(const std::string& cmd) { ASSERT_EQ(std::system(cmd.c_str()), 0) << cmd; }

std::string Jfk(const std::string& ext) {
  return std::string(ATTEST_SOURCE_DIR) + "/third_party/_src/whisper.cpp/" +
         (ext == "mp3" ? "samples/jfk.mp3" : "bindings/go/samples/jfk.wav");
}

// Decodes a whole file in small reads; returns the 16 kHz sample count.
Result<uint64_t> DecodeAll(const std::string& path, MediaInfo* info = nullptr) {
  ASSIGN_OR_RETURN(auto d, MediaDecoder::Open(path));
  if (info) *info = d->info();
  std::vector<float> buf(4000);
  uint64_t total = 0;
  float peak = 0;
  while (true) {
    ASSIGN_OR_RETURN(size_t n, d->Read(buf.data(), buf.size()));
    if (n == 0) break;
    for (size_t i = 0; i < n; ++i) peak = std::max(peak, std::abs(buf[i]));
    total += n;
  }
  EXPECT_LE(peak, 1.5f) << path;  // resampling may overshoot full scale a little
  return total;
}

TEST(MediaTest, SpeechInEachFormatSoxWritesDecodesTo16kHzMonoOfTheSameLength) {
  TempDir temp_dir("attest-media");
  std::string dir = temp_dir.path();
  // Speech made with espeak-ng (22,050 Hz), converted by sox (FLAC, Ogg Vorbis); a sample, not
  // testimony.
  Shell("espeak-ng -v en-us -w " + dir + "/en.wav 'This is a sample recording for a test.'");
  Shell("sox " + dir + "/en.wav -c 2 -r 44100 " + dir + "/stereo.flac");
  Shell("sox " + dir + "/en.wav " + dir + "/en.ogg");
  MediaInfo info;
  auto wav = DecodeAll(dir + "/en.wav", &info);
  ASSERT_TRUE(wav.ok()) << wav.status().ToString();
  EXPECT_EQ(info.audio_codec, "pcm_s16le");
  EXPECT_EQ(info.sample_rate, 22050);
  EXPECT_TRUE(info.video_codec.empty());
  double seconds = *wav / 16000.0;
  EXPECT_GT(seconds, 1.5);
  for (std::string f : {"stereo.flac", "en.ogg"}) {
    auto n = DecodeAll(dir + "/" + f, &info);
    ASSERT_TRUE(n.ok()) << f << ": " << n.status().ToString();
    // The same speech, within 60 ms (codec frames and resampler delay).
    EXPECT_NEAR(*n / 16000.0, seconds, 0.06) << f << " (" << info.audio_codec << ")";
  }
  auto mp3 = DecodeAll(Jfk("mp3"), &info);
  ASSERT_TRUE(mp3.ok()) << mp3.status().ToString();
  EXPECT_EQ(info.audio_codec, "mp3");
  auto jfk_wav = DecodeAll(Jfk("wav"));
  ASSERT_TRUE(jfk_wav.ok());
  EXPECT_EQ(*jfk_wav, 176000u);  // 11 s at 16 kHz: already the rate whisper reads
  EXPECT_NEAR(*mp3 / 16000.0, 11.0, 0.1);
}

// The containers and codecs testimonies arrive in: phone recordings (AMR), camera and phone
// video (MP4, MOV), downloads (MKV, WebM, AVI), voice notes (M4A, Opus). Made with sox and the
// ffmpeg command from the same espeak-ng sample sentence.
TEST(MediaTest, EveryCommonContainerAndCodecDecodesToTheSameSpeech) {
  TempDir temp_dir("attest-media");
  std::string dir = temp_dir.path();
  Shell("espeak-ng -v fr -w " + dir +
        "/fr.wav 'Ceci est un enregistrement d exemple pour un "
        "test de format.'");
  Shell("sox " + dir + "/fr.wav -r 8000 -c 1 -t amr-nb " + dir + "/phone.amr");
  auto seconds = DecodeAll(dir + "/fr.wav");
  ASSERT_TRUE(seconds.ok());
  double want = *seconds / 16000.0;
  const std::string ff = "ffmpeg -loglevel error -y -i " + dir + "/fr.wav ";
  const std::string video =
      "ffmpeg -loglevel error -y -f lavfi -i testsrc=size=96x64:rate=10 "
      "-i " +
      dir + "/fr.wav -shortest ";
  struct Case {
    std::string file, command, audio, video;
  };
  std::vector<Case> cases = {
      {"phone.amr", "", "amr_nb", ""},
      {"note.m4a", ff + "-c:a aac " + dir + "/note.m4a", "aac", ""},
      {"note.opus", ff + "-c:a libopus " + dir + "/note.opus", "opus", ""},
      {"clip.mp4", video + "-c:v libx264 -c:a aac " + dir + "/clip.mp4", "aac", "h264"},
      {"clip.mov", video + "-c:v mpeg4 -c:a pcm_s16le " + dir + "/clip.mov", "pcm_s16le", "mpeg4"},
      {"clip.mkv", video + "-c:v libx264 -c:a flac " + dir + "/clip.mkv", "flac", "h264"},
      {"clip.webm", video + "-c:v libvpx -c:a libopus " + dir + "/clip.webm", "opus", "vp8"},
      {"clip.avi", video + "-c:v mpeg4 -c:a libmp3lame " + dir + "/clip.avi", "mp3", "mpeg4"},
  };
  for (const Case& c : cases) {
    if (!c.command.empty()) Shell(c.command);
    MediaInfo info;
    auto n = DecodeAll(dir + "/" + c.file, &info);
    ASSERT_TRUE(n.ok()) << c.file << ": " << n.status().ToString();
    EXPECT_EQ(info.audio_codec, c.audio) << c.file;
    EXPECT_EQ(info.video_codec, c.video) << c.file;
    // The same sentence, within codec framing (AAC priming, Opus and AMR 20 ms frames; sox's
    // AMR writer drops the last part-filled frames of its 8 kHz resampling).
    EXPECT_NEAR(*n / 16000.0, want, c.file == "phone.amr" ? 0.2 : 0.12) << c.file;
  }
}

TEST(MediaTest, BadFilesAreNamedWithWhatIsWrong) {
  TempDir temp_dir("attest-media");
  std::string dir = temp_dir.path();
  std::ofstream(dir + "/notes.mp3") << "these are notes, not a recording\n";
  std::ofstream(dir + "/empty.wav");
  Shell("sox -n -r 16000 -c 1 " + dir + "/zero.wav trim 0 0");  // a header and no samples
  {
    std::ifstream in(Jfk("mp3"), std::ios::binary);
    std::string b((std::istreambuf_iterator<char>(in)), {});
    std::ofstream(dir + "/cut.mp3", std::ios::binary) << b.substr(0, b.size() / 2);
    std::string corrupt = b;
    for (size_t i = 2000; i < corrupt.size(); i += 97) corrupt[i] ^= 0x5a;
    std::ofstream(dir + "/corrupt.mp3", std::ios::binary) << corrupt;
  }
  for (std::string f : {"notes.mp3", "empty.wav", "missing.wav"}) {
    auto n = DecodeAll(dir + "/" + f);
    ASSERT_FALSE(n.ok()) << f;
    EXPECT_EQ(n.status().code(), Code::kInvalidArgument) << f;
    EXPECT_NE(n.status().message().find(dir + "/" + f), std::string::npos) << n.status().ToString();
  }
  auto zero = DecodeAll(dir + "/zero.wav");
  ASSERT_TRUE(zero.ok()) << zero.status().ToString();
  EXPECT_EQ(*zero, 0u);
  // Half an MP3 is half the speech; a damaged one decodes what it can and says how much not.
  auto cut = DecodeAll(dir + "/cut.mp3");
  ASSERT_TRUE(cut.ok()) << cut.status().ToString();
  EXPECT_NEAR(*cut / 16000.0, 5.5, 0.5);
  auto d = MediaDecoder::Open(dir + "/corrupt.mp3");
  ASSERT_TRUE(d.ok()) << d.status().ToString();  // its header is whole
  std::vector<float> buf(16000);
  Result<size_t> r = size_t{0};
  do {
    r = (*d)->Read(buf.data(), buf.size());
  } while (r.ok() && *r > 0);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_GT((*d)->bad_packets(), 0u);
  EXPECT_GT((*d)->samples(), 0u);
}

}  // namespace
}  // namespace attest::ingest

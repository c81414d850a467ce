// Audio and video files decoded with FFmpeg's libraries to what the speech recogniser reads:
// 16 kHz mono float, streamed, so a recording of any length is decoded in constant memory.
#ifndef ATTEST_INGEST_MEDIA_H_
#define ATTEST_INGEST_MEDIA_H_

#include <cstdint>
#include <memory>
#include <string>

#include "asr/transcriber.h"
#include "core/status.h"

namespace attest::ingest {

struct MediaInfo {
  std::string container;    // FFmpeg's name, e.g. "mov,mp4,m4a,3gp,3g2,mj2", "wav", "ogg"
  std::string audio_codec;  // e.g. "aac", "mp3", "opus", "amrnb", "pcm_s16le"
  std::string video_codec;  // empty if there is no video
  int sample_rate = 0, channels = 0;
  int width = 0, height = 0;
  int64_t duration_ms = -1;  // as the container says; -1 unknown
  std::string brand;         // an MP4 or MOV file's major brand ("qt  ": QuickTime)
};

// FFmpeg's text for one of its error codes.
std::string AvErrorText(int err);

// What streams a media file has, without decoding it (kInvalidArgument naming the file if
// FFmpeg cannot read it). Unlike MediaDecoder::Open, a file without audio is not an error.
Result<MediaInfo> ProbeMedia(const std::string& path);

// Decodes the best audio stream of one file. Not thread-safe (one per job).
class MediaDecoder : public asr::PcmSource {
 public:
  // kInvalidArgument naming the file: not a media file FFmpeg can read, no audio stream, or an
  // audio codec FFmpeg lacks.
  static Result<std::unique_ptr<MediaDecoder>> Open(const std::string& path);
  ~MediaDecoder() override;

  // Packets FFmpeg cannot decode are skipped and counted; if nothing at all decodes, the read
  // ends with kInvalidArgument ("no audio could be decoded").
  Result<size_t> Read(float* out, size_t n) override;

  const MediaInfo& info() const { return info_; }
  uint64_t bad_packets() const { return bad_packets_; }
  uint64_t samples() const { return samples_; }  // 16 kHz samples given out so far

  static std::string Version();  // libavformat's

 private:
  struct Internal;
  explicit MediaDecoder(std::unique_ptr<Internal> in);
  Status Pump();  // decodes more into the pending samples, or sets done

  std::unique_ptr<Internal> in_;
  MediaInfo info_;
  uint64_t bad_packets_ = 0, good_frames_ = 0, samples_ = 0;
};

}  // namespace attest::ingest

#endif  // ATTEST_INGEST_MEDIA_H_

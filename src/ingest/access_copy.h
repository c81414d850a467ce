// Access copies (doc/speech.md#access-copies): what browsers play, made from an original that
// they do not (AMR, AVI, MOV, MKV, WAV, FLAC, ...), and a poster frame for video. Made with
// FFmpeg's libraries (libx264 and FFmpeg's AAC encoder); the original is only read.
#ifndef ATTEST_INGEST_ACCESS_COPY_H_
#define ATTEST_INGEST_ACCESS_COPY_H_

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "core/status.h"
#include "ingest/media.h"

namespace attest::ingest {

struct AccessPlan {
  bool copy = false;    // the original is not what browsers play: transcode it
  bool poster = false;  // it has video: take a poster frame
  std::string why;      // what browsers would not play, or "" when copy is false
};

// Browsers play MP4/M4A with H.264 (or no video) and AAC or MP3, MP3 files, Ogg or WebM with
// Opus or Vorbis (and VP8/VP9 video in WebM).
AccessPlan PlanAccess(const MediaInfo& info);

struct AccessCopy {
  std::string mime;  // video/mp4 or audio/mp4
  int64_t duration_ms = 0;
  int width = 0, height = 0;  // of the copy's video; 0 for audio
  uint64_t video_frames = 0, audio_frames = 0;
};

// Writes an access copy of `input` to `output` (MP4 with H.264 video at most 1280 pixels wide
// and AAC audio, or M4A with AAC for audio alone), with its index at the front so it plays while
// it downloads. `name` names the original in errors. `threads`: the encoder's (0: FFmpeg's).
// `silence`: time ranges (ms) whose audio is zeroed (redacted speech; the video is kept).
Result<AccessCopy> MakeAccessCopy(const std::string& input, const std::string& output,
                                  const std::string& name, int threads,
                                  const std::vector<std::pair<int64_t, int64_t>>& silence = {});

// Writes a JPEG of the frame at one second in (or the last frame of a shorter video), at most
// 640 pixels wide. kInvalidArgument if `input` has no video that decodes.
Status MakePoster(const std::string& input, const std::string& output, const std::string& name);

}  // namespace attest::ingest

#endif  // ATTEST_INGEST_ACCESS_COPY_H_

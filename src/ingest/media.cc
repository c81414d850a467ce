#include "ingest/media.h"

extern "C" {
#include <libavcodec/avcodec.h>
#include <libavformat/avformat.h>
#include <libavutil/channel_layout.h>
#include <libavutil/opt.h>
#include <libswresample/swresample.h>
}

#include <algorithm>
#include <cstring>
#include <deque>
#include <mutex>

namespace attest::ingest {
namespace {

void QuietFfmpeg() {
  static std::once_flag once;
  std::call_once(once, [] { av_log_set_level(AV_LOG_QUIET); });
}

// The container's and video's part of `info`; returns the video stream, or a negative number.
int FillInfo(AVFormatContext* fmt, MediaInfo* info) {
  info->container = fmt->iformat ? fmt->iformat->name : "";
  if (fmt->duration > 0) info->duration_ms = fmt->duration / (AV_TIME_BASE / 1000);
  if (const AVDictionaryEntry* e = av_dict_get(fmt->metadata, "major_brand", nullptr, 0)) {
    info->brand = e->value;
  }
  int video = av_find_best_stream(fmt, AVMEDIA_TYPE_VIDEO, -1, -1, nullptr, 0);
  if (video >= 0 && (fmt->streams[video]->disposition & AV_DISPOSITION_ATTACHED_PIC)) {
    video = -1;  // cover art, not moving pictures
  }
  if (video >= 0) {
    const AVCodecParameters* vp = fmt->streams[video]->codecpar;
    info->video_codec = avcodec_get_name(vp->codec_id);
    info->width = vp->width;
    info->height = vp->height;
  }
  return video;
}

}  // namespace

std::string AvErrorText(int err) {
  char buf[AV_ERROR_MAX_STRING_SIZE] = {};
  av_strerror(err, buf, sizeof buf);
  return buf;
}

Result<MediaInfo> ProbeMedia(const std::string& path) {
  QuietFfmpeg();
  AVFormatContext* fmt = nullptr;
  int err = avformat_open_input(&fmt, path.c_str(), nullptr, nullptr);
  if (err < 0) {
    return Status::InvalidArgument(path + ": not a media file FFmpeg can read (" +
                                   AvErrorText(err) + ")");
  }
  MediaInfo info;
  if ((err = avformat_find_stream_info(fmt, nullptr)) >= 0) {
    FillInfo(fmt, &info);
    int audio = av_find_best_stream(fmt, AVMEDIA_TYPE_AUDIO, -1, -1, nullptr, 0);
    if (audio >= 0) {
      const AVCodecParameters* ap = fmt->streams[audio]->codecpar;
      info.audio_codec = avcodec_get_name(ap->codec_id);
      info.sample_rate = ap->sample_rate;
      info.channels = ap->ch_layout.nb_channels;
    }
  }
  avformat_close_input(&fmt);
  if (err < 0) {
    return Status::InvalidArgument(path + ": its streams could not be read (" + AvErrorText(err) +
                                   ")");
  }
  return info;
}

struct MediaDecoder::Internal {
  std::string path;
  AVFormatContext* fmt = nullptr;
  AVCodecContext* dec = nullptr;
  SwrContext* swr = nullptr;
  AVPacket* pkt = nullptr;
  AVFrame* frame = nullptr;
  int stream = -1;
  bool input_done = false;     // every packet read and the decoder flushed
  bool done = false;           // the resampler drained too
  std::vector<float> pending;  // resampled, not yet given out
  size_t pending_pos = 0;

  ~Internal() {
    av_frame_free(&frame);
    av_packet_free(&pkt);
    swr_free(&swr);
    avcodec_free_context(&dec);
    avformat_close_input(&fmt);
  }

  // Resamples `f` (or, with nullptr, what the resampler still holds) onto `pending`.
  Status Resample(const AVFrame* f) {
    int in = f ? f->nb_samples : 0;
    int cap = swr_get_out_samples(swr, in);
    if (cap <= 0) return Status::Ok();
    size_t old = pending.size();
    pending.resize(old + cap);
    uint8_t* out = reinterpret_cast<uint8_t*>(pending.data() + old);
    int got = swr_convert(swr, &out, cap,
                          f ? const_cast<const uint8_t**>(f->extended_data) : nullptr, in);
    if (got < 0) {
      pending.resize(old);
      return Status::InvalidArgument(path + ": the audio could not be resampled (" +
                                     AvErrorText(got) + ")");
    }
    pending.resize(old + got);
    return Status::Ok();
  }
};

MediaDecoder::MediaDecoder(std::unique_ptr<Internal> in) : in_(std::move(in)) {}
MediaDecoder::~MediaDecoder() = default;

std::string MediaDecoder::Version() { return AV_STRINGIFY(LIBAVFORMAT_VERSION); }

Result<std::unique_ptr<MediaDecoder>> MediaDecoder::Open(const std::string& path) {
  QuietFfmpeg();
  auto in = std::make_unique<Internal>();
  in->path = path;
  int err = avformat_open_input(&in->fmt, path.c_str(), nullptr, nullptr);
  if (err < 0) {
    return Status::InvalidArgument(path + ": not a media file FFmpeg can read (" +
                                   AvErrorText(err) + ")");
  }
  if ((err = avformat_find_stream_info(in->fmt, nullptr)) < 0) {
    return Status::InvalidArgument(path + ": its streams could not be read (" + AvErrorText(err) +
                                   ")");
  }
  MediaInfo info;
  int video = FillInfo(in->fmt, &info);
  const AVCodec* codec = nullptr;
  in->stream = av_find_best_stream(in->fmt, AVMEDIA_TYPE_AUDIO, -1, -1, &codec, 0);
  if (in->stream == AVERROR_STREAM_NOT_FOUND) {
    return Status::InvalidArgument(path + ": no audio stream" +
                                   (video >= 0 ? " (the file has video only)" : ""));
  }
  if (in->stream < 0 || !codec) {
    return Status::InvalidArgument(path + ": its audio codec is one FFmpeg cannot decode");
  }
  const AVCodecParameters* ap = in->fmt->streams[in->stream]->codecpar;
  info.audio_codec = avcodec_get_name(ap->codec_id);
  info.sample_rate = ap->sample_rate;
  info.channels = ap->ch_layout.nb_channels;
  in->dec = avcodec_alloc_context3(codec);
  if (!in->dec) return Status::Unavailable("out of memory for an audio decoder");
  if ((err = avcodec_parameters_to_context(in->dec, ap)) < 0 ||
      (err = avcodec_open2(in->dec, codec, nullptr)) < 0) {
    return Status::InvalidArgument(path + ": the " + info.audio_codec +
                                   " decoder would not open (" + AvErrorText(err) + ")");
  }
  if (in->dec->sample_rate <= 0) {
    return Status::InvalidArgument(path + ": the audio stream has no sample rate");
  }
  if (in->dec->ch_layout.order == AV_CHANNEL_ORDER_UNSPEC || in->dec->ch_layout.nb_channels == 0) {
    int n = std::max(1, in->dec->ch_layout.nb_channels);
    av_channel_layout_uninit(&in->dec->ch_layout);
    av_channel_layout_default(&in->dec->ch_layout, n);
  }
  AVChannelLayout mono = AV_CHANNEL_LAYOUT_MONO;
  if ((err = swr_alloc_set_opts2(&in->swr, &mono, AV_SAMPLE_FMT_FLT, asr::kSampleRate,
                                 &in->dec->ch_layout, in->dec->sample_fmt, in->dec->sample_rate, 0,
                                 nullptr)) < 0 ||
      (err = swr_init(in->swr)) < 0) {
    return Status::InvalidArgument(path + ": its audio (" + std::to_string(in->dec->sample_rate) +
                                   " Hz) cannot be resampled (" + AvErrorText(err) + ")");
  }
  in->pkt = av_packet_alloc();
  in->frame = av_frame_alloc();
  if (!in->pkt || !in->frame) return Status::Unavailable("out of memory for decoding");
  auto d = std::unique_ptr<MediaDecoder>(new MediaDecoder(std::move(in)));
  d->info_ = std::move(info);
  return d;
}

Status MediaDecoder::Pump() {
  Internal& in = *in_;
  // Frames the decoder already holds come first.
  while (true) {
    int err = avcodec_receive_frame(in.dec, in.frame);
    if (err == 0) {
      ++good_frames_;
      Status st = in.Resample(in.frame);
      av_frame_unref(in.frame);
      RETURN_IF_ERROR(st);
      if (in.pending.size() - in.pending_pos > 0) return Status::Ok();
      continue;
    }
    if (err == AVERROR_EOF) {
      RETURN_IF_ERROR(in.Resample(nullptr));
      in.done = true;
      return Status::Ok();
    }
    if (err != AVERROR(EAGAIN)) {
      ++bad_packets_;  // a frame the decoder could not make: skipped
      continue;
    }
    break;  // it needs a packet
  }
  if (in.input_done) {
    in.done = true;
    return Status::Ok();
  }
  while (true) {
    int err = av_read_frame(in.fmt, in.pkt);
    if (err == AVERROR_EOF || err == AVERROR(EIO)) {
      if (err == AVERROR(EIO)) ++bad_packets_;  // a file cut short: what was read is kept
      avcodec_send_packet(in.dec, nullptr);     // flush
      in.input_done = true;
      return Status::Ok();
    }
    if (err < 0) {
      ++bad_packets_;  // a damaged packet or container: skipped, the read goes on
      if (bad_packets_ > 10000 && good_frames_ == 0) {
        return Status::InvalidArgument(in.path + ": no audio could be decoded (" +
                                       AvErrorText(err) + ")");
      }
      continue;
    }
    if (in.pkt->stream_index != in.stream) {
      av_packet_unref(in.pkt);
      continue;
    }
    err = avcodec_send_packet(in.dec, in.pkt);
    av_packet_unref(in.pkt);
    if (err < 0 && err != AVERROR(EAGAIN)) ++bad_packets_;
    return Status::Ok();
  }
}

Result<size_t> MediaDecoder::Read(float* out, size_t n) {
  Internal& in = *in_;
  while (in.pending.size() - in.pending_pos < n && !in.done) RETURN_IF_ERROR(Pump());
  size_t take = std::min(n, in.pending.size() - in.pending_pos);
  if (take > 0) std::memcpy(out, in.pending.data() + in.pending_pos, take * sizeof(float));
  in.pending_pos += take;
  if (in.pending_pos == in.pending.size()) {
    in.pending.clear();
    in.pending_pos = 0;
  } else if (in.pending_pos > (1u << 20)) {
    in.pending.erase(in.pending.begin(), in.pending.begin() + in.pending_pos);
    in.pending_pos = 0;
  }
  samples_ += take;
  if (take == 0 && good_frames_ == 0 && bad_packets_ > 0) {
    return Status::InvalidArgument(in.path + ": no audio could be decoded (" +
                                   std::to_string(bad_packets_) + " damaged packets)");
  }
  return take;
}

}  // namespace attest::ingest

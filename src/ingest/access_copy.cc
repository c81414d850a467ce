#include "ingest/access_copy.h"

extern "C" {
#include <libavcodec/avcodec.h>
#include <libavformat/avformat.h>
#include <libavutil/audio_fifo.h>
#include <libavutil/channel_layout.h>
#include <libavutil/opt.h>
#include <libswresample/swresample.h>
#include <libswscale/swscale.h>
}

#include <algorithm>
#include <fstream>
#include <vector>

namespace attest::ingest {
namespace {

constexpr int kMaxWidth = 1280;
constexpr int kPosterWidth = 640;

struct Frame {
  AVFrame* f = av_frame_alloc();
  ~Frame() { av_frame_free(&f); }
};
struct Packet {
  AVPacket* p = av_packet_alloc();
  ~Packet() { av_packet_free(&p); }
};
struct CodecCtx {
  AVCodecContext* c = nullptr;
  ~CodecCtx() { avcodec_free_context(&c); }
};
struct Input {
  AVFormatContext* fmt = nullptr;
  ~Input() { avformat_close_input(&fmt); }
};

bool IsPicture(const AVStream* s) { return (s->disposition & AV_DISPOSITION_ATTACHED_PIC) != 0; }

// The first video stream that is moving pictures (not cover art), or -1.
int VideoStream(AVFormatContext* fmt) {
  int best = av_find_best_stream(fmt, AVMEDIA_TYPE_VIDEO, -1, -1, nullptr, 0);
  if (best >= 0 && !IsPicture(fmt->streams[best])) return best;
  for (unsigned i = 0; i < fmt->nb_streams; ++i) {
    if (fmt->streams[i]->codecpar->codec_type == AVMEDIA_TYPE_VIDEO && !IsPicture(fmt->streams[i]))
      return static_cast<int>(i);
  }
  return -1;
}

Status OpenInput(const std::string& path, const std::string& name, Input* in) {
  int err = avformat_open_input(&in->fmt, path.c_str(), nullptr, nullptr);
  if (err < 0) {
    return Status::InvalidArgument(name + ": not a media file FFmpeg can read (" +
                                   AvErrorText(err) + ")");
  }
  if ((err = avformat_find_stream_info(in->fmt, nullptr)) < 0) {
    return Status::InvalidArgument(name + ": its streams could not be read (" + AvErrorText(err) +
                                   ")");
  }
  return Status::Ok();
}

Status OpenDecoder(AVFormatContext* fmt, int stream, const std::string& name, CodecCtx* dec) {
  const AVCodecParameters* par = fmt->streams[stream]->codecpar;
  const AVCodec* codec = avcodec_find_decoder(par->codec_id);
  if (!codec) {
    return Status::InvalidArgument(name + ": FFmpeg has no decoder for its " +
                                   avcodec_get_name(par->codec_id));
  }
  dec->c = avcodec_alloc_context3(codec);
  if (!dec->c) return Status::Unavailable("out of memory for a decoder");
  int err = avcodec_parameters_to_context(dec->c, par);
  if (err >= 0) {
    dec->c->pkt_timebase = fmt->streams[stream]->time_base;
    err = avcodec_open2(dec->c, codec, nullptr);
  }
  if (err < 0) {
    return Status::InvalidArgument(name + ": the " + avcodec_get_name(par->codec_id) +
                                   " decoder would not open (" + AvErrorText(err) + ")");
  }
  if (dec->c->codec_type == AVMEDIA_TYPE_AUDIO &&
      (dec->c->ch_layout.order == AV_CHANNEL_ORDER_UNSPEC || dec->c->ch_layout.nb_channels == 0)) {
    int n = std::max(1, dec->c->ch_layout.nb_channels);
    av_channel_layout_uninit(&dec->c->ch_layout);
    av_channel_layout_default(&dec->c->ch_layout, n);
  }
  return Status::Ok();
}

// Width and height at most `max_width` wide, both even (H.264 and 4:2:0 need it).
std::pair<int, int> Fit(int w, int h, int max_width) {
  if (w > max_width) {
    h = static_cast<int>(static_cast<int64_t>(h) * max_width / w);
    w = max_width;
  }
  return {std::max(2, w & ~1), std::max(2, h & ~1)};
}

class Transcoder {
 public:
  Transcoder(std::string name, std::vector<std::pair<int64_t, int64_t>> silence)
      : name_(std::move(name)), silence_(std::move(silence)) {}
  ~Transcoder() {
    sws_freeContext(sws_);
    swr_free(&swr_);
    if (fifo_) av_audio_fifo_free(fifo_);
    if (out_) {
      if (opened_) avio_closep(&out_->pb);
      avformat_free_context(out_);
    }
  }

  Status Run(const std::string& input, const std::string& output, int threads, AccessCopy* r) {
    RETURN_IF_ERROR(OpenInput(input, name_, &in_));
    vin_ = VideoStream(in_.fmt);
    ain_ = av_find_best_stream(in_.fmt, AVMEDIA_TYPE_AUDIO, -1, -1, nullptr, 0);
    if (ain_ < 0) ain_ = -1;
    if (vin_ < 0 && ain_ < 0) return Status::InvalidArgument(name_ + ": no audio or video stream");
    int err =
        avformat_alloc_output_context2(&out_, nullptr, vin_ >= 0 ? "mp4" : "ipod", output.c_str());
    if (err < 0 || !out_) return Status::Unimplemented("no MP4 muxer in this FFmpeg");
    if (vin_ >= 0) RETURN_IF_ERROR(OpenVideo(threads));
    if (ain_ >= 0) RETURN_IF_ERROR(OpenAudio());
    if ((err = avio_open(&out_->pb, output.c_str(), AVIO_FLAG_WRITE)) < 0) {
      return Status::IOError(output + ": cannot be written (" + AvErrorText(err) + ")");
    }
    opened_ = true;
    AVDictionary* opts = nullptr;
    av_dict_set(&opts, "movflags", "+faststart", 0);  // the index first: plays as it loads
    err = avformat_write_header(out_, &opts);
    av_dict_free(&opts);
    if (err < 0) return Status::InvalidArgument("the access copy's header: " + AvErrorText(err));

    Packet pkt;
    Frame frame;
    while (true) {
      err = av_read_frame(in_.fmt, pkt.p);
      if (err == AVERROR_EOF || err == AVERROR(EIO)) break;
      if (err < 0) {
        ++bad_;
        if (bad_ > 10000) break;
        continue;
      }
      CodecCtx* dec = pkt.p->stream_index == vin_   ? &vdec_
                      : pkt.p->stream_index == ain_ ? &adec_
                                                    : nullptr;
      if (dec) {
        if (avcodec_send_packet(dec->c, pkt.p) < 0) ++bad_;
        RETURN_IF_ERROR(Drain(dec, frame.f));
      }
      av_packet_unref(pkt.p);
    }
    // Flush: decoders, the resampler and the audio queue, then the encoders.
    for (CodecCtx* dec : {&vdec_, &adec_}) {
      if (!dec->c) continue;
      avcodec_send_packet(dec->c, nullptr);
      RETURN_IF_ERROR(Drain(dec, frame.f));
    }
    if (aenc_.c) {
      RETURN_IF_ERROR(Resample(nullptr));
      RETURN_IF_ERROR(EncodeAudio(true));
      RETURN_IF_ERROR(Encode(&aenc_, aout_, nullptr));
    }
    if (venc_.c) RETURN_IF_ERROR(Encode(&venc_, vout_, nullptr));
    if (video_frames_ == 0 && audio_frames_ == 0) {
      return Status::InvalidArgument(name_ + ": nothing in it could be decoded (" +
                                     std::to_string(bad_) + " damaged packets)");
    }
    if ((err = av_write_trailer(out_)) < 0) {
      return Status::IOError(output + ": the access copy could not be finished (" +
                             AvErrorText(err) + ")");
    }
    r->mime = venc_.c ? "video/mp4" : "audio/mp4";
    r->width = venc_.c ? venc_.c->width : 0;
    r->height = venc_.c ? venc_.c->height : 0;
    r->video_frames = video_frames_;
    r->audio_frames = audio_frames_;
    int64_t audio_ms = aenc_.c ? audio_pts_ * 1000 / aenc_.c->sample_rate : 0;
    int64_t video_ms =
        venc_.c ? av_rescale_q(last_vpts_ + 1, venc_.c->time_base, AVRational{1, 1000}) : 0;
    r->duration_ms = std::max(audio_ms, video_ms);
    return Status::Ok();
  }

 private:
  Status OpenVideo(int threads) {
    RETURN_IF_ERROR(OpenDecoder(in_.fmt, vin_, name_, &vdec_));
    const AVCodec* codec = avcodec_find_encoder_by_name("libx264");
    if (!codec) return Status::Unimplemented("this FFmpeg has no H.264 encoder (libx264)");
    venc_.c = avcodec_alloc_context3(codec);
    auto [w, h] = Fit(vdec_.c->width, vdec_.c->height, kMaxWidth);
    venc_.c->width = w;
    venc_.c->height = h;
    venc_.c->pix_fmt = AV_PIX_FMT_YUV420P;
    venc_.c->sample_aspect_ratio = vdec_.c->sample_aspect_ratio;
    AVRational rate = av_guess_frame_rate(in_.fmt, in_.fmt->streams[vin_], nullptr);
    if (rate.num <= 0 || rate.den <= 0 || av_q2d(rate) > 120) rate = {25, 1};
    venc_.c->framerate = rate;
    venc_.c->time_base = av_inv_q(rate);
    venc_.c->thread_count = threads;
    av_opt_set(venc_.c->priv_data, "preset", "veryfast", 0);
    av_opt_set(venc_.c->priv_data, "crf", "23", 0);
    if (out_->oformat->flags & AVFMT_GLOBALHEADER) venc_.c->flags |= AV_CODEC_FLAG_GLOBAL_HEADER;
    int err = avcodec_open2(venc_.c, codec, nullptr);
    if (err < 0)
      return Status::Unimplemented("the H.264 encoder would not open: " + AvErrorText(err));
    vout_ = avformat_new_stream(out_, nullptr);
    avcodec_parameters_from_context(vout_->codecpar, venc_.c);
    vout_->time_base = venc_.c->time_base;
    scaled_.f->format = AV_PIX_FMT_YUV420P;
    scaled_.f->width = w;
    scaled_.f->height = h;
    if ((err = av_frame_get_buffer(scaled_.f, 0)) < 0) return Status::Unavailable("out of memory");
    return Status::Ok();
  }

  Status OpenAudio() {
    RETURN_IF_ERROR(OpenDecoder(in_.fmt, ain_, name_, &adec_));
    const AVCodec* codec = avcodec_find_encoder(AV_CODEC_ID_AAC);
    if (!codec) return Status::Unimplemented("this FFmpeg has no AAC encoder");
    aenc_.c = avcodec_alloc_context3(codec);
    int rate = 48000;
    for (const int* r = codec->supported_samplerates; r && *r; ++r) {
      if (*r == adec_.c->sample_rate) rate = *r;
    }
    aenc_.c->sample_rate = rate;
    aenc_.c->sample_fmt = AV_SAMPLE_FMT_FLTP;
    int channels = adec_.c->ch_layout.nb_channels == 1 ? 1 : 2;
    av_channel_layout_default(&aenc_.c->ch_layout, channels);
    aenc_.c->bit_rate = channels == 1 ? 64000 : 128000;
    aenc_.c->time_base = {1, rate};
    if (out_->oformat->flags & AVFMT_GLOBALHEADER) aenc_.c->flags |= AV_CODEC_FLAG_GLOBAL_HEADER;
    int err = avcodec_open2(aenc_.c, codec, nullptr);
    if (err < 0)
      return Status::Unimplemented("the AAC encoder would not open: " + AvErrorText(err));
    aout_ = avformat_new_stream(out_, nullptr);
    avcodec_parameters_from_context(aout_->codecpar, aenc_.c);
    aout_->time_base = aenc_.c->time_base;
    if ((err = swr_alloc_set_opts2(&swr_, &aenc_.c->ch_layout, AV_SAMPLE_FMT_FLTP, rate,
                                   &adec_.c->ch_layout, adec_.c->sample_fmt, adec_.c->sample_rate,
                                   0, nullptr)) < 0 ||
        (err = swr_init(swr_)) < 0) {
      return Status::InvalidArgument(name_ + ": its audio cannot be resampled (" +
                                     AvErrorText(err) + ")");
    }
    fifo_ = av_audio_fifo_alloc(AV_SAMPLE_FMT_FLTP, channels, aenc_.c->frame_size * 4);
    if (!fifo_) return Status::Unavailable("out of memory");
    return Status::Ok();
  }

  // Every frame the decoder holds, into its encoder.
  Status Drain(CodecCtx* dec, AVFrame* f) {
    while (true) {
      int err = avcodec_receive_frame(dec->c, f);
      if (err == AVERROR(EAGAIN) || err == AVERROR_EOF) return Status::Ok();
      if (err < 0) {
        ++bad_;
        continue;
      }
      Status st = dec == &vdec_ ? Video(f) : Resample(f);
      av_frame_unref(f);
      RETURN_IF_ERROR(st);
      if (dec == &adec_) RETURN_IF_ERROR(EncodeAudio(false));
    }
  }

  Status Video(const AVFrame* f) {
    sws_ = sws_getCachedContext(sws_, f->width, f->height, static_cast<AVPixelFormat>(f->format),
                                scaled_.f->width, scaled_.f->height, AV_PIX_FMT_YUV420P,
                                SWS_BICUBIC, nullptr, nullptr, nullptr);
    if (!sws_) return Status::InvalidArgument(name_ + ": its video frames cannot be converted");
    int err = av_frame_make_writable(scaled_.f);
    if (err < 0) return Status::Unavailable("out of memory");
    sws_scale(sws_, f->data, f->linesize, 0, f->height, scaled_.f->data, scaled_.f->linesize);
    int64_t ts = f->best_effort_timestamp;
    if (ts == AV_NOPTS_VALUE) ts = f->pts;
    AVStream* s = in_.fmt->streams[vin_];
    int64_t start = s->start_time == AV_NOPTS_VALUE ? 0 : s->start_time;
    int64_t pts = ts == AV_NOPTS_VALUE ? last_vpts_ + 1
                                       : av_rescale_q(ts - start, s->time_base, venc_.c->time_base);
    pts = std::max(pts, last_vpts_ + 1);  // strictly increasing, whatever the source says
    last_vpts_ = pts;
    scaled_.f->pts = pts;
    ++video_frames_;
    return Encode(&venc_, vout_, scaled_.f);
  }

  Status Resample(const AVFrame* f) {
    int in = f ? f->nb_samples : 0;
    int cap = swr_get_out_samples(swr_, in);
    if (cap <= 0) return Status::Ok();
    std::vector<std::vector<float>> planes(aenc_.c->ch_layout.nb_channels, std::vector<float>(cap));
    std::vector<uint8_t*> ptrs;
    for (auto& p : planes) ptrs.push_back(reinterpret_cast<uint8_t*>(p.data()));
    int got = swr_convert(swr_, ptrs.data(), cap,
                          f ? const_cast<const uint8_t**>(f->extended_data) : nullptr, in);
    if (got < 0) return Status::InvalidArgument(name_ + ": its audio could not be resampled");
    if (got > 0) {
      if (av_audio_fifo_write(fifo_, reinterpret_cast<void**>(ptrs.data()), got) < got) {
        return Status::Unavailable("out of memory");
      }
    }
    return Status::Ok();
  }

  // Whole encoder frames from the queue (and, at the end, the part-filled last one).
  Status EncodeAudio(bool last) {
    const int size = aenc_.c->frame_size;
    while (av_audio_fifo_size(fifo_) >= size || (last && av_audio_fifo_size(fifo_) > 0)) {
      Frame f;
      f.f->nb_samples = std::min(size, av_audio_fifo_size(fifo_));
      f.f->format = AV_SAMPLE_FMT_FLTP;
      av_channel_layout_copy(&f.f->ch_layout, &aenc_.c->ch_layout);
      f.f->sample_rate = aenc_.c->sample_rate;
      if (av_frame_get_buffer(f.f, 0) < 0) return Status::Unavailable("out of memory");
      av_audio_fifo_read(fifo_, reinterpret_cast<void**>(f.f->data), f.f->nb_samples);
      Silence(f.f);
      f.f->pts = audio_pts_;
      audio_pts_ += f.f->nb_samples;
      ++audio_frames_;
      RETURN_IF_ERROR(Encode(&aenc_, aout_, f.f));
    }
    return Status::Ok();
  }

  // Zeroes the samples of `f` (planar float, starting at audio_pts_) that fall in a range of
  // silence_ (redacted speech, doc/api.md "Redaction").
  void Silence(AVFrame* f) {
    if (silence_.empty()) return;
    const int64_t rate = aenc_.c->sample_rate;
    const int channels = aenc_.c->ch_layout.nb_channels;
    for (const auto& [from_ms, to_ms] : silence_) {
      int64_t from = from_ms * rate / 1000 - audio_pts_;
      int64_t to = (to_ms * rate + 999) / 1000 - audio_pts_;
      from = std::max<int64_t>(from, 0);
      to = std::min<int64_t>(to, f->nb_samples);
      if (from >= to) continue;
      for (int ch = 0; ch < channels; ++ch) {
        float* plane = reinterpret_cast<float*>(f->extended_data[ch]);
        std::fill(plane + from, plane + to, 0.0f);
      }
    }
  }

  Status Encode(CodecCtx* enc, AVStream* st, const AVFrame* f) {
    int err = avcodec_send_frame(enc->c, f);
    if (err < 0 && err != AVERROR_EOF) {
      return Status::InvalidArgument("the encoder refused a frame: " + AvErrorText(err));
    }
    Packet pkt;
    while (true) {
      err = avcodec_receive_packet(enc->c, pkt.p);
      if (err == AVERROR(EAGAIN) || err == AVERROR_EOF) return Status::Ok();
      if (err < 0) return Status::InvalidArgument("the encoder failed: " + AvErrorText(err));
      av_packet_rescale_ts(pkt.p, enc->c->time_base, st->time_base);
      pkt.p->stream_index = st->index;
      if ((err = av_interleaved_write_frame(out_, pkt.p)) < 0) {
        return Status::IOError("the access copy could not be written: " + AvErrorText(err));
      }
    }
  }

  std::string name_;
  Input in_;
  int vin_ = -1, ain_ = -1;
  CodecCtx vdec_, adec_, venc_, aenc_;
  AVFormatContext* out_ = nullptr;
  bool opened_ = false;
  AVStream *vout_ = nullptr, *aout_ = nullptr;
  SwsContext* sws_ = nullptr;
  SwrContext* swr_ = nullptr;
  AVAudioFifo* fifo_ = nullptr;
  Frame scaled_;
  std::vector<std::pair<int64_t, int64_t>> silence_;  // ms
  int64_t last_vpts_ = -1, audio_pts_ = 0;
  uint64_t video_frames_ = 0, audio_frames_ = 0, bad_ = 0;
};

}  // namespace

AccessPlan PlanAccess(const MediaInfo& info) {
  AccessPlan p;
  const std::string& c = info.container;
  const std::string& a = info.audio_codec;
  const std::string& v = info.video_codec;
  // MP4 and MOV share FFmpeg's demuxer ("mov,mp4,m4a,3gp,3g2,mj2"); QuickTime is told by its
  // brand, and browsers do not all play it.
  bool mp4 = c.find("mp4") != std::string::npos && info.brand != "qt  ";
  bool ok_audio;
  bool ok_video = v.empty();
  if (mp4) {
    ok_audio = a.empty() || a == "aac" || a == "mp3";
    ok_video = ok_video || v == "h264";
  } else if (c == "mp3") {
    ok_audio = a == "mp3";
  } else if (c == "ogg") {
    ok_audio = a == "opus" || a == "vorbis";
  } else if (c == "matroska,webm") {
    // WebM, not any Matroska: only the codecs WebM allows.
    ok_audio = a.empty() || a == "opus" || a == "vorbis";
    ok_video = ok_video || v == "vp8" || v == "vp9" || v == "av1";
  } else {
    ok_audio = false;
  }
  p.poster = !v.empty();
  p.copy = !(ok_audio && ok_video);
  if (p.copy) {
    p.why = c + " with " + (v.empty() ? "" : v + " video and ") + (a.empty() ? "no" : a) +
            " audio is not what browsers play";
  }
  return p;
}

Result<AccessCopy> MakeAccessCopy(const std::string& input, const std::string& output,
                                  const std::string& name, int threads,
                                  const std::vector<std::pair<int64_t, int64_t>>& silence) {
  av_log_set_level(AV_LOG_QUIET);
  AccessCopy r;
  Transcoder t(name, silence);
  RETURN_IF_ERROR(t.Run(input, output, threads, &r));
  return r;
}

Status MakePoster(const std::string& input, const std::string& output, const std::string& name) {
  av_log_set_level(AV_LOG_QUIET);
  Input in;
  RETURN_IF_ERROR(OpenInput(input, name, &in));
  int vs = VideoStream(in.fmt);
  if (vs < 0) return Status::InvalidArgument(name + ": no video stream to take a poster from");
  CodecCtx dec;
  RETURN_IF_ERROR(OpenDecoder(in.fmt, vs, name, &dec));
  AVStream* s = in.fmt->streams[vs];
  int64_t start = s->start_time == AV_NOPTS_VALUE ? 0 : s->start_time;
  int64_t one_second = av_rescale_q(1, AVRational{1, 1}, s->time_base);
  Frame chosen, f;
  bool have = false, done = false;
  Packet pkt;
  auto take = [&]() {
    while (!done) {
      int err = avcodec_receive_frame(dec.c, f.f);
      if (err < 0) return;
      av_frame_unref(chosen.f);
      av_frame_move_ref(chosen.f, f.f);
      have = true;
      int64_t ts = chosen.f->best_effort_timestamp;
      if (ts != AV_NOPTS_VALUE && ts - start >= one_second) done = true;
    }
  };
  while (!done && av_read_frame(in.fmt, pkt.p) >= 0) {
    if (pkt.p->stream_index == vs) {
      avcodec_send_packet(dec.c, pkt.p);
      take();
    }
    av_packet_unref(pkt.p);
  }
  if (!done) {
    avcodec_send_packet(dec.c, nullptr);
    take();
  }
  if (!have) return Status::InvalidArgument(name + ": no video frame could be decoded");
  const AVCodec* codec = avcodec_find_encoder(AV_CODEC_ID_MJPEG);
  if (!codec) return Status::Unimplemented("this FFmpeg has no JPEG encoder");
  CodecCtx enc;
  enc.c = avcodec_alloc_context3(codec);
  auto [w, h] = Fit(chosen.f->width, chosen.f->height, kPosterWidth);
  enc.c->width = w;
  enc.c->height = h;
  enc.c->pix_fmt = AV_PIX_FMT_YUVJ420P;
  enc.c->time_base = {1, 25};
  enc.c->flags |= AV_CODEC_FLAG_QSCALE;
  enc.c->global_quality = FF_QP2LAMBDA * 3;
  int err = avcodec_open2(enc.c, codec, nullptr);
  if (err < 0) return Status::Unimplemented("the JPEG encoder would not open: " + AvErrorText(err));
  Frame out;
  out.f->format = AV_PIX_FMT_YUVJ420P;
  out.f->width = w;
  out.f->height = h;
  if (av_frame_get_buffer(out.f, 0) < 0) return Status::Unavailable("out of memory");
  SwsContext* sws = sws_getContext(chosen.f->width, chosen.f->height,
                                   static_cast<AVPixelFormat>(chosen.f->format), w, h,
                                   AV_PIX_FMT_YUVJ420P, SWS_BICUBIC, nullptr, nullptr, nullptr);
  if (!sws) return Status::InvalidArgument(name + ": its video frames cannot be converted");
  sws_scale(sws, chosen.f->data, chosen.f->linesize, 0, chosen.f->height, out.f->data,
            out.f->linesize);
  sws_freeContext(sws);
  out.f->pts = 0;
  if ((err = avcodec_send_frame(enc.c, out.f)) < 0 ||
      (err = avcodec_send_frame(enc.c, nullptr)) < 0)
    return Status::InvalidArgument("the JPEG encoder refused the frame: " + AvErrorText(err));
  std::string jpeg;
  while (avcodec_receive_packet(enc.c, pkt.p) >= 0) {
    jpeg.append(reinterpret_cast<const char*>(pkt.p->data), pkt.p->size);
    av_packet_unref(pkt.p);
  }
  if (jpeg.empty()) return Status::InvalidArgument("the JPEG encoder wrote nothing");
  std::ofstream file(output, std::ios::binary | std::ios::trunc);
  file.write(jpeg.data(), static_cast<std::streamsize>(jpeg.size()));
  file.close();
  if (!file) return Status::IOError(output + ": the poster could not be written");
  return Status::Ok();
}

}  // namespace attest::ingest

// Ask's latency on a built archive (bench/ask_bench.sh makes one of SEGMENTS segments): the
// whole answer as the API gives it (http::Ask: retrieval in the caller's levels, the dictionary
// path, fusion, diversification, passages read from attest.db, citations, the checkpoint), for
// 40 questions in four languages, as an anonymous caller. First without a model; then with the
// semantic path: an embedding model of multilingual-e5-small's width (384) with random weights
// is registered and every segment is given a random unit vector in the semantic index (the
// latency of an HNSW search hardly depends on what the vectors mean; embedding a million
// segments with a real model is a job of hours on two cores). The one query embedding is timed
// apart and left out, as the target says.
//
// The questions: the 40 written below and, to reach the thousands a p99 needs, windows of three
// to seven words cut from the UDHR samples (bench/ask_bench.sh writes them), every one
// distinct; a warm-up set, asked first and not timed, shares none of them. The timed questions
// are dealt into ROUNDS rounds; each round gives a p50 and a p99 (median, min and max over the
// rounds are printed), and the p99 over every timed ask is printed beside them. Rows in
// bench/lib.sh's columns: benchmark,median,min,max,runs,unit,target,note.
//
// Usage: ask_bench ARCHIVE WARMUP_FILE TIMED_FILE [ROUNDS]
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <random>
#include <string>
#include <vector>

#include "access/access.h"
#include "archive/archive.h"
#include "archive/testing.h"
#include "core/env.h"
#include "service/ask.h"
#include "ingest/models.h"
#include "search/embedder_testing.h"
#include "search/semantic_index.h"

namespace {

using Clock = std::chrono::steady_clock;
using namespace attest;

// A note as one CSV field: quoted, its quotes doubled.
std::string Quoted(const std::string& note) {
  std::string q = "\"";
  for (char c : note) q += c == '"' ? std::string("\"\"") : std::string(1, c);
  return q + "\"";
}

void Row(const std::string& name, double value, const char* unit, const char* target,
         const std::string& note) {
  std::printf("%s,%.6g,%.6g,%.6g,1,%s,%s,%s\n", name.c_str(), value, value, value, unit, target,
              Quoted(note).c_str());
  std::fflush(stdout);
}

// A row from several runs' values: their median, min and max.
void Rows(const std::string& name, std::vector<double> v, const char* unit, const char* target,
          const std::string& note) {
  std::sort(v.begin(), v.end());
  double median = v.size() % 2 ? v[v.size() / 2] : (v[v.size() / 2 - 1] + v[v.size() / 2]) / 2;
  std::printf("%s,%.6g,%.6g,%.6g,%zu,%s,%s,%s\n", name.c_str(), median, v.front(), v.back(),
              v.size(), unit, target, Quoted(note).c_str());
  std::fflush(stdout);
}

std::vector<std::string> ReadLines(const std::string& path) {
  std::vector<std::string> lines;
  std::ifstream in(path);
  for (std::string l; std::getline(in, l);) {
    if (!l.empty()) lines.push_back(l);
  }
  if (lines.empty()) {
    std::fprintf(stderr, "ask_bench: %s holds no questions\n", path.c_str());
    std::exit(2);
  }
  return lines;
}

double Ms(Clock::time_point a, Clock::time_point b) {
  return std::chrono::duration<double, std::milli>(b - a).count();
}

double Percentile(std::vector<double> v, double p) {
  std::sort(v.begin(), v.end());
  size_t i = static_cast<size_t>(std::ceil(p * static_cast<double>(v.size()))) - 1;
  return v[std::min(i, v.size() - 1)];
}

const char* const kQuestions[] = {
    "who has the right to an education?",
    "what does the declaration say about freedom of opinion and expression",
    "is anyone held in slavery or servitude",
    "the right to asylum from persecution",
    "what protection does the family have",
    "equal pay for equal work",
    "can a person be arbitrarily arrested or detained",
    "freedom of thought conscience and religion",
    "what about torture and cruel treatment",
    "the right to take part in the government of his country",
    "quel est le droit à l'éducation",
    "la liberté de réunion et d'association pacifiques",
    "nul ne sera tenu en esclavage",
    "le droit de chercher asile",
    "la famille est l'élément naturel de la société",
    "un salaire égal pour un travail égal",
    "arrêté ou détenu arbitrairement",
    "la liberté de pensée et de religion",
    "la torture et les peines cruelles",
    "le droit de prendre part à la direction des affaires publiques",
    "ما هو الحق في التعليم",
    "حرية الرأي والتعبير",
    "لا يجوز استرقاق أحد",
    "حق اللجوء هربا من الاضطهاد",
    "الأسرة هي الوحدة الطبيعية للمجتمع",
    "أجر متساو للعمل المتساوي",
    "لا يجوز القبض على أي إنسان أو حجزه تعسفا",
    "حرية التفكير والضمير والدين",
    "التعذيب والعقوبات القاسية",
    "الحق في الاشتراك في إدارة الشؤون العامة",
    "מהי הזכות לחינוך",
    "חופש הדעה והביטוי",
    "לא יהיה אדם עבד",
    "הזכות לבקש מקלט מרדיפות",
    "המשפחה היא היחידה הטבעית של החברה",
    "שכר שווה בעד עבודה שווה",
    "לא ייאסר אדם באופן שרירותי",
    "חופש המחשבה המצפון והדת",
    "עינויים ויחס אכזרי",
    "הזכות להשתתף בהנהלת ענייני ארצו",
};

// One Ask in ms: `whole` as a caller waits for it (the question's embedding included), and
// `less_embed`, the same less the question's embedding timed apart just before (the same text,
// model and threads; an estimate of the rest, since Ask embeds the question again itself).
struct AskTime {
  double whole = 0;
  double less_embed = 0;
};
AskTime AskOnce(archive::Archive* a, const std::string& q,
                const std::optional<meta::ModelFile>& model, size_t* groups) {
  access::Subject anonymous;
  double embed = 0;
  if (model) {
    auto t0 = Clock::now();
    auto v = a->finder().search_resources()->EmbedQuery(*model, q);
    embed = Ms(t0, Clock::now());
    if (!v.ok()) {
      std::fprintf(stderr, "ask_bench: %s\n", v.status().ToString().c_str());
      std::exit(1);
    }
  }
  service::AskRequest req;
  req.question = q;
  auto t0 = Clock::now();
  auto r = service::Ask(service::ScopeOf(a, anonymous), req);
  double ms = Ms(t0, Clock::now());
  if (!r.ok()) {
    std::fprintf(stderr, "ask_bench: %s: %s\n", q.c_str(), r.status().ToString().c_str());
    std::exit(1);
  }
  if (model && !(*r)["paths"]["semantic"].get<bool>()) {
    std::fprintf(stderr, "ask_bench: the semantic path did not take part\n");
    std::exit(1);
  }
  *groups += (*r)["groups"].size();
  return {ms, ms - embed};
}

void Measure(archive::Archive* a, const std::vector<std::string>& warmup,
             const std::vector<std::string>& timed, int rounds, const std::string& name,
             const char* target, const std::optional<meta::ModelFile>& model) {
  size_t groups = 0;
  for (const auto& q : warmup) AskOnce(a, q, model, &groups);
  groups = 0;
  std::vector<double> all, p50s, p99s, all_less, p99s_less;
  for (int round = 0; round < rounds; ++round) {
    std::vector<double> times, less;
    for (size_t i = round; i < timed.size(); i += rounds) {
      AskTime t = AskOnce(a, timed[i], model, &groups);
      times.push_back(t.whole);
      less.push_back(t.less_embed);
    }
    p50s.push_back(Percentile(times, 0.5));
    p99s.push_back(Percentile(times, 0.99));
    p99s_less.push_back(Percentile(less, 0.99));
    all.insert(all.end(), times.begin(), times.end());
    all_less.insert(all_less.end(), less.begin(), less.end());
  }
  std::string per_round = std::to_string(all.size() / rounds) + " distinct asks a round, none of "
                          "them in the warm-up";
  Rows(name + "_p50", p50s, "ms", "", per_round);
  Rows(name + "_p99", p99s, "ms", target, per_round);
  Row(name + "_p99_all", Percentile(all, 0.99), "ms", target,
      "over all " + std::to_string(all.size()) + " timed asks; anonymous; " +
          std::to_string(static_cast<double>(groups) / all.size()).substr(0, 4) +
          " witnesses an answer");
  if (model) {
    Rows(name + "_less_embedding_p99", p99s_less, "ms", "",
         per_round + "; less the question's embedding, timed apart just before each ask");
    Row(name + "_less_embedding_p99_all", Percentile(all_less, 0.99), "ms", "",
        "over all " + std::to_string(all_less.size()) + " timed asks");
  }
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 4) {
    std::fprintf(stderr, "usage: ask_bench ARCHIVE WARMUP_FILE TIMED_FILE [ROUNDS]\n");
    return 2;
  }
  std::string dir = argv[1];
  std::vector<std::string> warmup = ReadLines(argv[2]);
  std::vector<std::string> timed(std::begin(kQuestions), std::end(kQuestions));
  for (auto& q : ReadLines(argv[3])) timed.push_back(std::move(q));
  int rounds = argc > 4 ? std::atoi(argv[4]) : 3;
  if (rounds < 1) rounds = 1;
  Env* env = Env::Default();
  auto a = archive::Archive::Open(env, dir);
  if (!a.ok()) {
    std::fprintf(stderr, "ask_bench: %s\n", a.status().ToString().c_str());
    return 1;
  }
  auto segments = archive::StoreForTesting(a->get())->MaxSegmentId();
  Row("ask_corpus_segments", static_cast<double>(*segments), "segments", "", "");
  Measure(a->get(), warmup, timed, rounds, "ask_no_model", "<300", std::nullopt);

  // The semantic path.
  std::string model_path = dir + "/../ask-bench-e5-width.gguf";
  search::TestModelShape shape;
  shape.embd = 384;
  shape.heads = 6;
  shape.layers = 1;
  shape.ff = 384;
  shape.ctx = 512;
  if (Status st = search::WriteTestEmbeddingModel(model_path, shape); !st.ok()) {
    std::fprintf(stderr, "ask_bench: %s\n", st.ToString().c_str());
    return 1;
  }
  auto added = ingest::AddEmbeddingModel(env, a->get(), model_path, {});
  if (!added.ok()) {
    std::fprintf(stderr, "ask_bench: %s\n", added.status().ToString().c_str());
    return 1;
  }
  auto t0 = Clock::now();
  {
    auto idx = search::SemanticIndex::Open(dir + "/index/semantic", 384);
    if (!idx.ok()) {
      std::fprintf(stderr, "ask_bench: %s\n", idx.status().ToString().c_str());
      return 1;
    }
    std::mt19937 rng(11);
    std::normal_distribution<float> normal;
    std::vector<search::SemanticIndex::Entry> entries;
    int64_t last = 0;
    while (true) {
      auto batch = archive::StoreForTesting(a->get())->ScanSegments(last, 100000);
      if (!batch.ok() || batch->empty()) break;
      for (const auto& st : *batch) {
        std::vector<float> v(384);
        double norm = 0;
        for (float& x : v) {
          x = normal(rng);
          norm += x * x;
        }
        for (float& x : v) x = static_cast<float>(x / std::sqrt(norm));
        entries.push_back({st.segment.id, st.effective, std::move(v)});
        last = st.segment.id;
      }
    }
    if (Status st = (*idx)->PutNew(entries, 2); !st.ok()) {
      std::fprintf(stderr, "ask_bench: %s\n", st.ToString().c_str());
      return 1;
    }
    (*idx)->SetProvenance(
        {{"model_sha256", added->model.sha256}, {"note", "random unit vectors (ask_bench)"}});
    (*idx)->SetLastSegment(last);
    if (Status st = (*idx)->Save(); !st.ok()) {
      std::fprintf(stderr, "ask_bench: %s\n", st.ToString().c_str());
      return 1;
    }
  }
  double build_s = Ms(t0, Clock::now()) / 1000;
  Row("ask_semantic_index_build", build_s, "s", "",
      "HNSW M=16 ef_construction=200, 2 threads, 384 dims");
  Measure(a->get(), warmup, timed, rounds, "ask_semantic", "<500", added->model);
  return 0;
}

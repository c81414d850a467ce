#include "text/langid.h"

#include <fasttext/fasttext.h>
#include <unicode/uchar.h>
#include <unicode/unistr.h>

#include <fstream>
#include <sstream>

#include "core/json.h"

namespace attest::text {

struct LanguageIdentifier::Internal {
  fasttext::FastText model;
};

LanguageIdentifier::LanguageIdentifier() : rep_(new Internal) {}
LanguageIdentifier::~LanguageIdentifier() = default;

std::string DefaultLanguageModelPath() { return ATTEST_LID_MODEL; }

Result<std::unique_ptr<LanguageIdentifier>> LanguageIdentifier::Load(
    const std::string& model_path) {
  std::ifstream probe(model_path, std::ios::binary);
  if (!probe) return Status::NotFound("language model " + model_path + " cannot be opened");
  std::unique_ptr<LanguageIdentifier> id(new LanguageIdentifier);
  try {
    id->rep_->model.loadModel(model_path);  // checks fastText's magic number and version
  } catch (const std::exception& e) {
    return Status::InvalidArgument("language model " + model_path +
                                   " is not a fastText model: " + e.what());
  }
  return id;
}

LangGuess LanguageIdentifier::Identify(std::string_view text, std::string_view declared) const {
  LangGuess fallback{std::string(declared), 0.0, true};
  if (!IsValidUtf8(text)) return fallback;
  icu::UnicodeString u = icu::UnicodeString::fromUTF8(
      icu::StringPiece(text.data(), static_cast<int32_t>(text.size())));
  int letters = 0;
  for (int32_t i = 0; i < u.length();) {
    UChar32 c = u.char32At(i);
    i += U16_LENGTH(c);
    if (u_isalpha(c)) ++letters;
  }
  if (letters < kMinLetters) return fallback;
  // fastText reads one line; it expects lower case like its training data.
  u.foldCase();
  std::string line;
  u.toUTF8String(line);
  for (char& c : line) {
    if (c == '\n' || c == '\r') c = ' ';
  }
  line.push_back('\n');
  std::istringstream in(line);
  std::vector<std::pair<fasttext::real, std::string>> predictions;
  try {
    rep_->model.predictLine(in, predictions, 1, 0.0);
  } catch (const std::exception&) {
    return fallback;
  }
  if (predictions.empty() || predictions[0].first < kMinProbability) return fallback;
  std::string label = predictions[0].second;
  constexpr std::string_view kPrefix = "__label__";
  if (label.rfind(kPrefix, 0) == 0) label = label.substr(kPrefix.size());
  if (label == "iw") label = "he";
  return LangGuess{label, predictions[0].first, false};
}

}  // namespace attest::text

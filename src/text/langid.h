// Language identification of a segment with fastText and the lid.176 model (CC BY-SA 3.0,
// third_party/README.md), run locally. Short or unsure texts fall back to the language the
// record declares. Thread-safe after Load: Identify keeps no state between calls.
#ifndef ATTEST_TEXT_LANGID_H_
#define ATTEST_TEXT_LANGID_H_

#include <memory>
#include <string>
#include <string_view>

#include "core/status.h"

namespace attest::text {

struct LangGuess {
  std::string lang;          // ISO 639-1 where it exists ("he", "ar", "en", "fr", ...)
  double probability = 0.0;  // the model's, 0 when falling back
  bool fallback = false;     // true: too short or unsure, `lang` is the declared language
};

class LanguageIdentifier {
 public:
  // Loads a fastText model file (kInvalidArgument naming the file if it is not one).
  static Result<std::unique_ptr<LanguageIdentifier>> Load(const std::string& model_path);
  ~LanguageIdentifier();

  // Texts with fewer than `min_letters` letters, or whose best guess is below
  // `min_probability`, get `declared`.
  LangGuess Identify(std::string_view text, std::string_view declared) const;

  static constexpr int kMinLetters = 12;
  static constexpr double kMinProbability = 0.5;

 private:
  struct Internal;
  LanguageIdentifier();
  std::unique_ptr<Internal> rep_;
};

// The model built with attest (fetched, pinned, by scripts/fetch-third-party.sh).
std::string DefaultLanguageModelPath();

}  // namespace attest::text

#endif  // ATTEST_TEXT_LANGID_H_

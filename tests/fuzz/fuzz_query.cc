// Fuzz target: search queries, Ask's questions and filters, and the text analysis they go
// through, as typed by anyone.
#include <cstdint>
#include <string>

#include "core/json.h"
#include "search/query.h"
#include "search/retrieve.h"
#include "search/translate.h"
#include "text/analyzer.h"
#include "text/paragraphs.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace attest;
  std::string in(reinterpret_cast<const char*>(data), size);
  (void)search::ParseQuery(in);
  (void)search::ParseFilters(in);
  search::RetrieveRequest ask;
  ask.question = in;
  (void)search::CheckRetrieveRequest(ask);
  (void)search::QuestionLangs(in);
  (void)search::IsFunctionWord(in);
  static auto* analyzers = new std::unique_ptr<text::Analyzer>[5] {
    text::Analyzer::For(text::Lang::kArabic), text::Analyzer::For(text::Lang::kHebrew),
        text::Analyzer::For(text::Lang::kEnglish), text::Analyzer::For(text::Lang::kFrench),
        text::Analyzer::For(text::Lang::kUnknown)
  };
  for (int i = 0; i < 5; ++i) {
    auto terms = analyzers[i]->Analyze(in);
    if (terms.ok()) {
      for (const auto& t : *terms) {
        if (t.end > size || t.start > t.end) __builtin_trap();  // offsets stay in the text
      }
    }
  }
  if (attest::IsValidUtf8(in)) (void)text::SplitParagraphs(in);
  return 0;
}

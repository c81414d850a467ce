// Names across scripts. A witness says כפר עזה, another writes كفار عزة, a journalist types
// Kfar Aza: NameKey reduces each word to a consonant skeleton of its Latin transliteration
// (ICU Any-Latin), with the letters that transliterations confuse merged (p/f, b/v, q/k,
// kh/h, sh/s, …) and vowels and vowel letters (a e i o u, w, y, alef, ayin) dropped, so the
// three meet. It is a key for matching names, never shown to anyone.
// Thread-safe (each thread keeps its own transliterator).
#ifndef ATTEST_TEXT_NAMES_H_
#define ATTEST_TEXT_NAMES_H_

#include <string>
#include <string_view>
#include <vector>

namespace attest::text {

// The key of one word ("" if nothing consonantal is left). REQUIRES: valid UTF-8.
std::string NameKey(std::string_view word);
// The keys of the words of a name, in order (empty keys left out).
std::vector<std::string> NameKeys(std::string_view name);

}  // namespace attest::text

#endif  // ATTEST_TEXT_NAMES_H_

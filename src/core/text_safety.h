// Control characters in text from outside (a witness's message, metadata, file names,
// transcripts, reasons) and in text shown on a terminal. Escape sequences (ESC, CSI) drive a
// terminal, and the bidi embedding, override and isolate controls make text display in another
// order than it is stored; text from outside has no use for them. Thread-safe: pure functions.
#ifndef ATTEST_CORE_TEXT_SAFETY_H_
#define ATTEST_CORE_TEXT_SAFETY_H_

#include <cstddef>
#include <string>
#include <string_view>

namespace attest {

// Decodes the code point of UTF-8 `s` at *pos and moves *pos past it. An invalid or truncated
// sequence (overlong, a surrogate, above U+10FFFF) is one byte: *valid is set false and U+FFFD
// returned. REQUIRES: *pos < s.size().
char32_t NextCodePoint(std::string_view s, size_t* pos, bool* valid);

// C0 (U+0000–U+001F, TAB and LF among them), DEL and C1 (U+0080–U+009F).
bool IsControlCharacter(char32_t c);
// The directional embeddings, overrides and isolates: U+202A–U+202E and U+2066–U+2069. (The
// marks U+200E and U+200F, and right-to-left letters, are ordinary text.)
bool IsBidiControl(char32_t c);

// What a piece of text from outside keeps of its layout.
enum class TextLayout {
  kOneLine,  // a file name, a title, a metadata name: TAB, CR and LF become a space
  kLines,    // a message, a transcript, a reason: keeps TAB and LF (CR LF and CR become LF)
};

// `s` without the control characters it has no use for: C0 (but TAB and LF for kLines), DEL,
// C1 and the bidi controls are dropped; an invalid UTF-8 byte becomes U+FFFD. Hebrew and
// Arabic text, and the marks U+200E and U+200F, pass unchanged.
std::string CleanText(std::string_view s, TextLayout layout);

// `s` as it may be written to a terminal: every control character, bidi control and invalid
// byte written as a visible escape (\t, \n, \r, \x1b, \u202e, \xff for an invalid byte);
// everything else unchanged. kOneLine escapes TAB and LF too, so a tab-separated row stays one
// row; kLines writes them as they are (a document, a multi-line message).
std::string TerminalSafe(std::string_view s, TextLayout layout = TextLayout::kOneLine);

}  // namespace attest

#endif  // ATTEST_CORE_TEXT_SAFETY_H_

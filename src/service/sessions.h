// Sessions (doc/sessions.md): an ordered list of clips and cards (a title, a reading, a moment
// of silence) composed for an audience. A session names its clips by id; each is read anew for
// whoever opens the session (service/clips.h), so a clip its reader may no longer read is a
// labelled gap. Private to its maker unless shared with a role or made public; a public session
// holds only public clips. Not thread-safe: uses the scope's Archive.
#ifndef ATTEST_SERVICE_SESSIONS_H_
#define ATTEST_SERVICE_SESSIONS_H_

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/json.h"
#include "core/status.h"
#include "meta/store.h"
#include "service/clips.h"
#include "service/scope.h"

namespace attest::service {

inline constexpr size_t kMaxSessionItems = 200;
inline constexpr size_t kMaxSessionTitle = 200;
inline constexpr size_t kMaxCardText = 4096;
inline constexpr int64_t kMaxSilenceS = 600;
inline constexpr int64_t kMaxTargetS = 24 * 3600;
// A person keeps at most 500 sessions; the 100 newest of others' shared with them are listed.
inline constexpr size_t kMaxSessionsPerPerson = 500;
inline constexpr size_t kSharedSessionsListed = 100;
inline constexpr const char* kNoSuchSession = "no such session";
// How long a card is shown: a title 5 s; a reading as long as it takes to read aloud, at 15
// characters a second (about 180 words a minute), at least 5 s.
inline constexpr int64_t kTitleCardMs = 5000;
inline constexpr int64_t kReadingCharsPerS = 15;

// How long a clip plays in a session: a recording's span; a text clip as long as a reading of
// it; a gap 0.
int64_t ClipPlayMs(const ClipView& v);

// One item: kind "clip" (clip), "title" or "reading" (text), or "silence" (seconds).
struct SessionItem {
  std::string kind;
  std::string clip;
  std::string text;
  int64_t seconds = 0;
};

// What a person saves: a new session (id empty, revision 0) or revision `revision` of one.
struct SessionDraft {
  std::string id;
  int64_t revision = 0;
  std::string title;
  std::string audience = "public";  // school:AGES, community, public
  int64_t target_s = 0;
  std::string languages;  // comma-separated tags
  std::string shared = "private";
  std::vector<SessionItem> items;
};

struct SessionItemView {
  SessionItem item;
  std::optional<ClipView> clip;  // a clip item's, as the reader may see it
  int64_t length_ms = 0;         // how long it plays (a gap: 0)
};

struct SessionView {
  meta::ClipSession session;
  std::vector<SessionItemView> items;
  int64_t length_ms = 0;  // of every item shown
  bool mine = false;      // the reader made it (and may change it)
  std::vector<std::string> witnesses;  // the distinct witnesses of its shown clips, in order
  std::vector<std::string> languages;  // the distinct languages of its shown clips, in order
};

// Saves a session (a new one, or the caller's own at the revision it edits: kConflict naming
// the stored revision if another save came in between). Each clip it adds must be one the caller
// reads whole; a public session only public ones (kInvalidArgument naming the clip). Needs an
// account or a token.
Result<SessionView> SaveSession(const Scope& scope, const SessionDraft& draft);

// Session `id` as the caller may see it: kNotFound (kNoSuchSession) unless they made it or it
// is shared with them. Audited as a view of the records of its clips that are not public.
Result<SessionView> ReadSession(const Scope& scope, const std::string& id);

// The sessions the caller made, newest first, then the newest of others' shared with them
// (their rows only).
Result<std::vector<meta::ClipSession>> ListSessions(const Scope& scope);

// Deletes the caller's own session. kNotFound (kNoSuchSession) otherwise.
Status DeleteSession(const Scope& scope, const std::string& id);

// Suggestions (doc/sessions.md "Suggestions"): clips to propose for a theme — free words, or a
// place and a date range — within a length, from as many witnesses as Ask's retrieval and
// diversity find (one passage a witness), for the composer to accept or drop.
struct SuggestRequest {
  std::string theme, place, date;
  std::string lang;        // the audience's language: the question's, for Ask
  int64_t length_s = 600;  // the length asked for (1 s to 24 h)
};
struct Proposal {
  ClipAsk ask;  // what accepting it makes (MakeClip)
  std::string witness, lang, text, citation;
  int64_t length_ms = 0;
};
struct Suggestions {
  std::vector<Proposal> proposals;
  int64_t length_ms = 0;  // of them all, within ±10% of the asked length when enough is found
  size_t witnesses = 0;
};
// kInvalidArgument for no theme (nor place or date), or a length out of range. What it shows
// is audited as Ask's answer is.
Result<Suggestions> Suggest(const Scope& scope, const SuggestRequest& request);
Json SuggestionsJson(const Suggestions& s);

// A session as the API gives it (doc/api.md "Sessions").
Json SessionJson(const SessionView& v);
Json SessionRowJson(const meta::ClipSession& s);
// A draft from the API's JSON body (kInvalidArgument naming the member that is wrong).
Result<SessionDraft> DraftFromJson(const Json& body);
// A session's stored items as a draft's (to change and save again).
SessionDraft DraftOf(const meta::ClipSession& s);

}  // namespace attest::service

#endif  // ATTEST_SERVICE_SESSIONS_H_

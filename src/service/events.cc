#include "service/events.h"

#include <algorithm>
#include <set>

#include "service/auditor.h"

namespace attest::service {

Result<std::string> EventQuery(const std::string& place, const std::string& date,
                               const std::string& words) {
  if (place.empty() && date.empty()) {
    return Status::InvalidArgument("give a place, a date, or both");
  }
  for (const std::string* v : {&place, &date}) {
    if (v->find('"') != std::string::npos || v->size() > 200) {
      return Status::InvalidArgument("a place or date may not hold '\"' or exceed 200 bytes");
    }
  }
  std::string query;
  if (!place.empty()) query += "place:\"" + place + "\" ";
  if (!date.empty()) query += "date:" + date + " ";
  return query + words;
}

namespace {

// Records read to count the witnesses of one start.
constexpr size_t kStartRecords = 500;

// `value` with what a search for `query` at `role` finds: nullopt if nothing, or if the query
// is not one (a place with no letters). The records whose hits it counted that are not public
// are added to `not_public`.
Result<std::optional<EventStart>> CountStart(archive::Archive* a, search::Role role,
                                             const std::string& value, const std::string& query,
                                             std::set<std::string>* not_public) {
  search::SearchRequest sr;
  sr.query = query;
  sr.role = role;
  sr.limit = kStartRecords;
  sr.per_record = 1;
  sr.exact_counts = true;
  auto found = a->finder().Search(sr);
  if (!found.ok()) {
    if (found.status().code() == Code::kInvalidArgument) return std::optional<EventStart>();
    return found.status();
  }
  if (found->records.empty()) return std::optional<EventStart>();
  for (const auto& rec : found->records) {
    for (const auto& h : rec.hits) {
      if (h.level != "public") {
        not_public->insert(rec.record_id);
        break;
      }
    }
  }
  EventStart start;
  start.value = value;
  std::set<std::string> witnesses;
  for (const auto& rec : found->records) {
    if (rec.witness_id.empty()) {
      ++start.witnesses;
    } else if (witnesses.insert(rec.witness_id).second) {
      ++start.witnesses;
    }
  }
  start.more = !found->next_cursor.empty();
  for (const auto& [lang, n] : found->lang_facets) {
    if (n > 0 && !lang.empty() && lang != "und") start.langs.push_back(lang);
  }
  return std::optional<EventStart>(std::move(start));
}

}  // namespace

Result<EventStarts> PerspectiveStarts(const Scope& scope) {
  archive::Archive* a = scope.archive;
  const access::Subject& subject = scope.subject;
  const search::Role role = SearchRole(subject);
  EventStarts out;
  std::set<std::string> not_public;  // records whose words the starts counted
  // Every dated segment the subject may see: its months and its places.
  search::SearchRequest sr;
  sr.query = "date:1000..9999";
  sr.role = role;
  sr.limit = 1;
  sr.per_record = 1;
  sr.exact_counts = true;
  ASSIGN_OR_RETURN(auto dated, a->finder().Search(sr));

  // Dates: a year, or its month when all its accounts fall in one; the busiest years if more.
  std::map<std::string, std::pair<uint64_t, std::set<std::string>>> years;
  for (const auto& [month, n] : dated.month_facets) {
    if (month.size() < 4 || n == 0) continue;
    auto& y = years[month.substr(0, 4)];
    y.first += n;
    y.second.insert(month);
  }
  std::vector<std::pair<uint64_t, std::string>> busiest;
  for (const auto& [year, y] : years) {
    busiest.emplace_back(y.first, y.second.size() == 1 ? *y.second.begin() : year);
  }
  std::stable_sort(busiest.begin(), busiest.end(),
                   [](const auto& x, const auto& y) { return x.first > y.first; });
  if (busiest.size() > kMaxEventStarts) busiest.resize(kMaxEventStarts);
  for (const auto& [n, date] : busiest) {
    ASSIGN_OR_RETURN(auto start, CountStart(a, role, date, "date:" + date, &not_public));
    if (start) out.dates.push_back(std::move(*start));
  }
  std::sort(out.dates.begin(), out.dates.end(),
            [](const EventStart& x, const EventStart& y) { return x.value < y.value; });

  // Places: those of dated segments first (busiest first), then the archive's other annotated
  // places; each counted by its own search, so one the subject may not read is left out.
  std::vector<std::pair<uint64_t, std::string>> by_count;
  for (const auto& [place, n] : dated.place_facets) {
    if (!place.empty() && n > 0) by_count.emplace_back(n, place);
  }
  std::stable_sort(by_count.begin(), by_count.end(),
                   [](const auto& x, const auto& y) { return x.first > y.first; });
  std::vector<std::string> places;
  std::set<std::string> seen;
  for (const auto& [n, place] : by_count) {
    if (seen.insert(place).second) places.push_back(place);
  }
  ASSIGN_OR_RETURN(auto annotated, a->records().AnnotationValues("place"));
  for (const auto& place : annotated) {
    if (seen.insert(place).second) places.push_back(place);
  }
  if (places.size() > kMaxEventStarts) places.resize(kMaxEventStarts);
  for (const auto& place : places) {
    auto query = EventQuery(place, "", "");
    if (!query.ok()) continue;  // a name the place filter cannot hold
    ASSIGN_OR_RETURN(auto start, CountStart(a, role, place, *query, &not_public));
    if (start) out.places.push_back(std::move(*start));
  }
  std::stable_sort(
      out.places.begin(), out.places.end(), [](const EventStart& x, const EventStart& y) {
        return x.witnesses != y.witnesses ? x.witnesses > y.witnesses : x.value < y.value;
      });
  // The places, dates and counts shown were read from these records' words: audited like the
  // perspectives' own answers.
  if (!not_public.empty() && !scope.actor.empty()) {
    RETURN_IF_ERROR(Auditor(scope).ViewedRecords(
        "perspective-starts", std::vector<std::string>(not_public.begin(), not_public.end())));
  }
  return out;
}

Result<std::map<std::string, std::string>> WitnessCommunities(archive::Archive* a,
                                                              const search::Results& found) {
  std::vector<std::string> ids;
  for (const auto& rec : found.records) ids.push_back(rec.witness_id);
  ASSIGN_OR_RETURN(auto witnesses, a->records().Witnesses(ids));
  std::map<std::string, std::string> out;
  for (const auto& id : ids) {
    auto it = witnesses.find(id);
    out[id] = it == witnesses.end() ? "" : it->second.community;
  }
  return out;
}


Result<EventAccounts> FindEventAccounts(const Scope& scope, const EventRequest& request,
                                        std::string_view what) {
  EventAccounts out;
  ASSIGN_OR_RETURN(out.query, EventQuery(request.place, request.date, request.words));
  search::SearchRequest sr;
  sr.query = out.query;
  sr.role = SearchRole(scope.subject);
  ASSIGN_OR_RETURN(sr.opening, SearchOpening(scope));
  sr.limit = kEventRecords;
  sr.per_record = kEventHitsPerRecord;
  sr.cursor = request.cursor;
  ASSIGN_OR_RETURN(out.results, scope.archive->finder().Search(sr));
  RETURN_IF_ERROR(Auditor(scope).Searched(out.results, what));
  ASSIGN_OR_RETURN(out.communities, WitnessCommunities(scope.archive, out.results));
  return out;
}

}  // namespace attest::service

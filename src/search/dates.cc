#include "search/dates.h"

#include <cstdio>

namespace attest::search {
namespace {

bool Digits(std::string_view s) {
  for (char c : s) {
    if (c < '0' || c > '9') return false;
  }
  return !s.empty();
}

int Number(std::string_view s) {
  int n = 0;
  for (char c : s) n = n * 10 + (c - '0');
  return n;
}

int DaysInMonth(int year, int month) {
  static const int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  bool leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
  return month == 2 && leap ? 29 : kDays[month - 1];
}

std::string Day(int y, int m, int d) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02d", y, m, d);
  return buf;
}

// One date of any precision, as its first and last day; false if it is not one.
bool ParseOne(std::string_view s, DateRange* out) {
  if (s.size() < 4 || !Digits(s.substr(0, 4))) return false;
  int y = Number(s.substr(0, 4));
  if (y < 1000) return false;
  if (s.size() == 4) {
    *out = {Day(y, 1, 1), Day(y, 12, 31)};
    return true;
  }
  if (s.size() < 7 || s[4] != '-' || !Digits(s.substr(5, 2))) return false;
  int m = Number(s.substr(5, 2));
  if (m < 1 || m > 12) return false;
  if (s.size() == 7) {
    *out = {Day(y, m, 1), Day(y, m, DaysInMonth(y, m))};
    return true;
  }
  if (s.size() != 10 || s[7] != '-' || !Digits(s.substr(8, 2))) return false;
  int d = Number(s.substr(8, 2));
  if (d < 1 || d > DaysInMonth(y, m)) return false;
  *out = {Day(y, m, d), Day(y, m, d)};
  return true;
}

}  // namespace

Result<DateRange> ParseDateRange(std::string_view text, std::string_view what) {
  auto bad = [&](std::string_view why) {
    return Status::InvalidArgument(std::string(what) + " '" + std::string(text) + "' " +
                                   std::string(why) +
                                   "; use a day, month or year (2023-10-07, 2023-10, 2023) or "
                                   "a range of them (2023-10-07..2023-10-08)");
  };
  size_t dots = text.find("..");
  DateRange first, last;
  if (dots == std::string_view::npos) {
    if (!ParseOne(text, &first)) return bad("is not a date");
    return first;
  }
  if (!ParseOne(text.substr(0, dots), &first) || !ParseOne(text.substr(dots + 2), &last)) {
    return bad("is not a range of dates");
  }
  if (last.to < first.from) return bad("ends before it starts");
  return DateRange{first.from, last.to};
}

}  // namespace attest::search

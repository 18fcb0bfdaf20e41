// Timestamp normalization: a small scanner that pulls numbers and month names
// out of the header timestamp and matches them against known layouts.
#include "logs/timestamp.h"

#include <cstdio>
#include <ctime>
#include <vector>

#include "common/error.h"

namespace pocketops::logs {

namespace {
int month_of(std::string_view w) {
  static const char* k = "janfebmaraprmayjunjulaugsepoctnovdec";
  if (w.size() < 3) return 0;
  char a = static_cast<char>(w[0] | 32), b = static_cast<char>(w[1] | 32), c = static_cast<char>(w[2] | 32);
  for (int m = 0; m < 12; ++m)
    if (k[m * 3] == a && k[m * 3 + 1] == b && k[m * 3 + 2] == c) return m + 1;
  return 0;
}
std::string fmt(int y, int mo, int d, int h, int mi, int s) {
  if (y < 0 || y > 9999 || mo < 1 || mo > 12 || d < 1 || d > 31 || h < 0 || h > 23 || mi < 0 || mi > 59 || s < 0 ||
      s > 60)
    return {};
  char buf[32];
  std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d", y, mo, d, h, mi, s);
  return buf;
}
struct Field {
  long v;
  int ndig;
  int month;  // when a month name
  char sep;   // separator that follows
};
}  // namespace

std::string normalize_timestamp(std::string_view ts, int default_year) {
  std::vector<Field> f;
  bool pm = false, am = false;
  for (size_t i = 0; i < ts.size() && f.size() < 12;) {
    char c = ts[i];
    if (c >= '0' && c <= '9') {
      long v = 0;
      int n = 0;
      while (i < ts.size() && ts[i] >= '0' && ts[i] <= '9') {
        if (n < 12) v = v * 10 + (ts[i] - '0');
        ++n, ++i;
      }
      f.push_back({v, n, 0, i < ts.size() ? ts[i] : '\0'});
    } else if ((c | 32) >= 'a' && (c | 32) <= 'z') {
      size_t s = i;
      while (i < ts.size() && (ts[i] | 32) >= 'a' && (ts[i] | 32) <= 'z') ++i;
      std::string_view w = ts.substr(s, i - s);
      if (int m = month_of(w); m && w.size() <= 9) f.push_back({0, 0, m, i < ts.size() ? ts[i] : '\0'});
      if (w == "PM" || w == "pm") pm = true;
      if (w == "AM" || w == "am") am = true;
    } else {
      ++i;
    }
  }
  if (f.empty()) return {};
  auto num = [&](size_t k) { return k < f.size() && f[k].ndig > 0; };
  // Epoch seconds.
  if (f.size() <= 2 && num(0) && (f[0].ndig == 9 || f[0].ndig == 10) && (f.size() == 1 || f[0].sep == '.')) {
    std::time_t t = static_cast<std::time_t>(f[0].v);
    std::tm tm{};
    gmtime_r(&t, &tm);
    return fmt(tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec);
  }
  // Month name styles: [Dow] Mon dd hh:mm:ss [yyyy]  or  dd/Mon/yyyy:hh:mm:ss
  for (size_t k = 0; k < f.size(); ++k) {
    if (!f[k].month) continue;
    if (k >= 1 && num(k - 1) && num(k + 1) && f[k + 1].ndig == 4 && num(k + 4))  // access log
      return fmt(static_cast<int>(f[k + 1].v), f[k].month, static_cast<int>(f[k - 1].v), static_cast<int>(f[k + 2].v),
                 static_cast<int>(f[k + 3].v), static_cast<int>(f[k + 4].v));
    if (num(k + 1) && num(k + 4)) {
      int year = default_year;
      for (size_t j = k + 5; j < f.size(); ++j)
        if (f[j].ndig == 4) year = static_cast<int>(f[j].v);
      return fmt(year, f[k].month, static_cast<int>(f[k + 1].v), static_cast<int>(f[k + 2].v),
                 static_cast<int>(f[k + 3].v), static_cast<int>(f[k + 4].v));
    }
    return {};
  }
  if (f.size() < 2 || !num(0)) return {};
  const Field& a = f[0];
  if (a.ndig == 6 && f[1].ndig == 6)  // HDFS yyMMdd HHmmss
    return fmt(2000 + static_cast<int>(a.v / 10000), static_cast<int>(a.v / 100 % 100), static_cast<int>(a.v % 100),
               static_cast<int>(f[1].v / 10000), static_cast<int>(f[1].v / 100 % 100), static_cast<int>(f[1].v % 100));
  if (f.size() < 3) return {};
  if (a.ndig == 4 && f.size() >= 6)  // ISO / yyyy/mm/dd / BGL
    return fmt(static_cast<int>(a.v), static_cast<int>(f[1].v), static_cast<int>(f[2].v), static_cast<int>(f[3].v),
               static_cast<int>(f[4].v), static_cast<int>(f[5].v));
  if (a.ndig == 8 && f.size() >= 4)  // HealthApp yyyyMMdd-hh:mm:ss
    return fmt(static_cast<int>(a.v / 10000), static_cast<int>(a.v / 100 % 100), static_cast<int>(a.v % 100),
               static_cast<int>(f[1].v), static_cast<int>(f[2].v), static_cast<int>(f[3].v));
  if (a.ndig == 6 && f.size() >= 2 && f[1].ndig == 6)  // HDFS yyMMdd HHmmss
    return fmt(2000 + static_cast<int>(a.v / 10000), static_cast<int>(a.v / 100 % 100), static_cast<int>(a.v % 100),
               static_cast<int>(f[1].v / 10000), static_cast<int>(f[1].v / 100 % 100), static_cast<int>(f[1].v % 100));
  if (a.ndig == 4 && f.size() >= 4 && a.sep == ' ')  // klog MMDD hh:mm:ss
    return fmt(default_year, static_cast<int>(a.v / 100), static_cast<int>(a.v % 100), static_cast<int>(f[1].v),
               static_cast<int>(f[2].v), static_cast<int>(f[3].v));
  if (f.size() >= 6 && a.ndig <= 2 && a.sep == '/' && f[2].ndig == 4) {  // Windows M/D/YYYY h:mm:ss AM
    int h = static_cast<int>(f[3].v);
    if (pm && h < 12) h += 12;
    if (am && h == 12) h = 0;
    return fmt(static_cast<int>(f[2].v), static_cast<int>(a.v), static_cast<int>(f[1].v), h, static_cast<int>(f[4].v),
               static_cast<int>(f[5].v));
  }
  if (f.size() >= 6 && a.ndig == 2 && a.sep == '/')  // Spark yy/MM/dd
    return fmt(2000 + static_cast<int>(a.v), static_cast<int>(f[1].v), static_cast<int>(f[2].v),
               static_cast<int>(f[3].v), static_cast<int>(f[4].v), static_cast<int>(f[5].v));
  if (f.size() >= 5 && a.ndig == 2 && (a.sep == '-' || a.sep == '.'))  // logcat MM-DD / Proxifier MM.DD
    return fmt(default_year, static_cast<int>(a.v), static_cast<int>(f[1].v), static_cast<int>(f[2].v),
               static_cast<int>(f[3].v), static_cast<int>(f[4].v));
  return {};
}

std::string normalize_bound(std::string_view b) {
  std::string s(b);
  for (char& c : s)
    if (c == ' ') c = 'T';
  static const char* pattern = "dddd-dd-ddTdd:dd:dd";
  bool ok = s.size() >= 10 && s.size() <= 19;
  for (size_t i = 0; ok && i < s.size(); ++i)
    ok = pattern[i] == 'd' ? (s[i] >= '0' && s[i] <= '9') : s[i] == pattern[i];
  if (!ok) throw Error("bad time bound '" + std::string(b) + "' (use YYYY-MM-DD[THH:MM[:SS]])");
  return s;
}

}  // namespace pocketops::logs

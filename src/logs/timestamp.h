// Normalizes the many header timestamp styles to "YYYY-MM-DDTHH:MM:SS" so
// --since/--until can compare them as strings.
#pragma once
#include <string>
#include <string_view>

namespace pocketops::logs {

// Empty when `ts` is not a wall-clock time we recognise (e.g. dmesg uptime).
// Styles without a year (syslog, logcat, klog) use `default_year`.
std::string normalize_timestamp(std::string_view ts, int default_year);

// Turns a user bound ("2024-01-02", "2024-01-02 03:04", "2024-01-02T03:04:05")
// into the normalized form's prefix; throws Error when malformed.
std::string normalize_bound(std::string_view bound);

}  // namespace pocketops::logs

// The one exception type pocketops throws for bad input or failed I/O; the CLI
// prints its message on one line and exits 1.
#pragma once
#include <stdexcept>
#include <string>

namespace pocketops {

class Error : public std::runtime_error {
 public:
  explicit Error(const std::string& what) : std::runtime_error(what) {}
};

// Throws Error(msg) when cond is false.
inline void require(bool cond, const std::string& msg) {
  if (!cond) throw Error(msg);
}

}  // namespace pocketops

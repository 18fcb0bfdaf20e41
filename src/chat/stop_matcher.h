// Stop strings over streamed text: holds back any tail that could still grow
// into a stop string (and incomplete UTF-8 sequences), reports when one
// completes and hands out only the text before it.
#pragma once
#include <string>
#include <string_view>
#include <vector>

namespace pocketops::chat {

class StopMatcher {
 public:
  // Empty strings are ignored.
  explicit StopMatcher(std::vector<std::string> stops = {});

  struct Result {
    std::string text;   // safe to emit now
    bool stopped = false;
    std::string stop;   // the stop string that matched (when stopped)
  };

  // Feeds the next piece of generated text. Once stopped, further pushes
  // return empty results. When several stop strings complete, the one that
  // starts earliest wins (the longest on a tie).
  Result push(std::string_view chunk);
  // End of generation: returns whatever is still held back (empty once stopped).
  std::string flush();
  void reset();

  bool stopped() const { return stopped_; }
  const std::vector<std::string>& stops() const { return stops_; }

 private:
  std::vector<std::string> stops_;
  std::string held_;
  bool stopped_ = false;
};

}  // namespace pocketops::chat

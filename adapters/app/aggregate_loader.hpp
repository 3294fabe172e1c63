#pragma once
// Folds a stream into its aggregate state: evolve over every event this build understands.
#include <optional>
#include <string>

#include "domain/ports/event_store.hpp"

namespace lf::adapters::app {

template <class State>
struct Loaded {
  State state{};
  std::string created_at;  // time of the stream's first event
  std::string updated_at;  // time of its last event
};

template <class State, class Decode, class Evolve>
Loaded<State> load(ports::EventStore& store, const std::string& stream_id, Decode decode, Evolve evolve) {
  Loaded<State> out;
  for (const auto& recorded : store.read_stream(stream_id)) {
    if (out.created_at.empty()) {
      out.created_at = recorded.recorded_at;
    }
    out.updated_at = recorded.recorded_at;
    if (auto event = decode(recorded)) {
      out.state = evolve(std::move(out.state), *event);
    } else {
      ++out.state.version;  // an event type this build does not know still counts as a version
    }
  }
  return out;
}

}  // namespace lf::adapters::app

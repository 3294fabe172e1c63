#pragma once
// Port: the per-annotator webhook secrets Label Studio instances present in X-Webhook-Secret.
// The annotator aggregate issues one when an annotator is created; only its hash is stored.
#include <cstdint>
#include <string>
#include <string_view>

namespace lf::ports {

class WebhookSecrets {
 public:
  virtual ~WebhookSecrets() = default;
  // Issues (or rotates) the annotator's secret; returns it in clear, the only time it exists.
  virtual std::string issue(std::int64_t annotator_id) = 0;
  // Constant-time comparison against the stored hash; false when none was issued.
  virtual bool verify(std::int64_t annotator_id, std::string_view presented) = 0;
};

}  // namespace lf::ports

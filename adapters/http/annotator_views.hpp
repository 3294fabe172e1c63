#pragma once
// The JSON of an annotator and of an audit event, used by reads (read-model rows) and by write
// answers (rows built from the decided state), so both always agree. Secrets are never
// rendered: the webhook secret shows as "whs_…<last 4>", the Label Studio token as "…<last 4>".
#include <string>
#include <vector>

#include "projections/annotators/annotators_projection.hpp"
#include "projections/audit_events/audit_events_projection.hpp"

namespace lf::adapters::http {

// `with_assignments`: GET /api/annotators/:id nests the annotator's assignments too.
std::string render_annotator(const projections::AnnotatorRow& row, bool with_assignments = false);
std::string render_annotators(const std::vector<projections::AnnotatorRow>& rows);
std::string render_audit_events(const std::vector<projections::AuditEventRow>& rows);
// GET /api/annotators/:id/status; url = http://<subdomain>.<domain>.
std::string render_annotator_status(const projections::AnnotatorRow& row, const std::string& domain);

}  // namespace lf::adapters::http

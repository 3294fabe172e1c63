#pragma once
// The JSON of workflows: the workflow object (reads and write answers alike), the workflow
// with its chain (GET /api/workflows/:id) and the graph (GET /api/workflows/graph).
#include <string>
#include <vector>

#include "projections/workflows/workflows_projection.hpp"

namespace lf::adapters::http {

std::string render(const projections::WorkflowRow& workflow);
std::string render_workflows(const std::vector<projections::WorkflowRow>& rows);
std::string render_with_chain(const projections::WorkflowRow& workflow,
                              const std::vector<projections::ChainNode>& chain);
// {nodes, edges} of every workflow (docs/adr/0010-workflow-graph.md).
std::string render_graph(const std::vector<projections::WorkflowRow>& rows);

}  // namespace lf::adapters::http

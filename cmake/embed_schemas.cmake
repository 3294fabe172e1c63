# Writes OUT: a C++ source defining lf::schemas::embedded(), every *.json under ROOT keyed by
# its path relative to ROOT (e.g. "requests/role-create.json").
file(GLOB_RECURSE files RELATIVE ${ROOT} ${ROOT}/*.json)
list(SORT files)
set(body "#include <map>\n#include <string>\nnamespace lf::schemas {\nconst std::map<std::string, std::string>& embedded() {\n  static const std::map<std::string, std::string> all{\n")
foreach(f ${files})
  file(READ ${ROOT}/${f} content)
  string(APPEND body "    {\"${f}\", R\"LFSCHEMA(${content})LFSCHEMA\"},\n")
endforeach()
string(APPEND body "  };\n  return all;\n}\n}  // namespace lf::schemas\n")
file(WRITE ${OUT} "${body}")

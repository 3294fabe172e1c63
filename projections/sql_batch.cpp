#include "projections/sql_batch.hpp"

#include <atomic>
#include <cstdint>
#include <stdexcept>
#include <utility>
#include <vector>

namespace lf::projections {
namespace {

bool is_digit(char c) { return c >= '0' && c <= '9'; }
bool is_alpha(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
// Postgres identifiers also take any byte of a multibyte character, and '$' after the first.
bool is_ident_start(char c) { return is_alpha(c) || c == '_' || static_cast<unsigned char>(c) >= 0x80; }
bool is_ident_char(char c) { return is_ident_start(c) || is_digit(c) || c == '$'; }

std::invalid_argument error(const std::string& what, std::string_view sql) {
  constexpr std::size_t kShown = 200;
  return std::invalid_argument("SqlBatch: " + what + " in: " + std::string(sql.substr(0, kShown)));
}

// One past the closing quote of the quoted text opening at sql[begin] (a ' or a "): a doubled
// quote stays inside, and in an E'…' string a backslash escapes the next character.
std::size_t quoted_end(std::string_view sql, std::size_t begin, bool backslash_escapes) {
  const char quote = sql[begin];
  for (std::size_t i = begin + 1; i < sql.size(); ++i) {
    if (backslash_escapes && sql[i] == '\\') {
      ++i;
    } else if (sql[i] == quote) {
      if (i + 1 < sql.size() && sql[i + 1] == quote) {
        ++i;
      } else {
        return i + 1;
      }
    }
  }
  throw error(std::string("unterminated ") + quote, sql);
}

// One past the end of the /* … */ comment opening at sql[begin] (they nest in Postgres).
std::size_t block_comment_end(std::string_view sql, std::size_t begin) {
  int depth = 0;
  for (std::size_t i = begin; i + 1 < sql.size(); ++i) {
    if (sql[i] == '/' && sql[i + 1] == '*') {
      ++depth;
      ++i;
    } else if (sql[i] == '*' && sql[i + 1] == '/') {
      ++i;
      if (--depth == 0) {
        return i + 1;
      }
    }
  }
  throw error("unterminated comment", sql);
}

// The tag ($$ or $name$) when a dollar quote opens at sql[begin], else empty.
std::string_view dollar_tag(std::string_view sql, std::size_t begin) {
  std::size_t i = begin + 1;
  if (i < sql.size() && is_ident_start(sql[i])) {
    while (i < sql.size() && is_ident_char(sql[i]) && sql[i] != '$') {
      ++i;
    }
  }
  if (i < sql.size() && sql[i] == '$') {
    return sql.substr(begin, i + 1 - begin);
  }
  return {};
}

// What scan() does with the text: substitute literals for placeholders (checking both match),
// or only look for a statement separator.
struct ScanMode {
  std::span<const std::string> literals;
  bool substitute = true;
  bool* separator = nullptr;  // set when a ';' is found outside quotes and comments
};

std::string scan(std::string_view sql, const ScanMode& mode) {
  const auto literals = mode.literals;
  std::string out;
  std::size_t size = sql.size();
  for (const auto& literal : literals) {
    size += literal.size();
  }
  if (mode.substitute) {
    out.reserve(size);
  }
  std::vector<bool> used(literals.size(), false);

  std::size_t i = 0;
  while (i < sql.size()) {
    const char c = sql[i];
    const bool after_ident = i > 0 && is_ident_char(sql[i - 1]);
    std::size_t end = i + 1;  // what to copy unchanged, by default one character
    if (c == '\'') {
      const bool escape_string =
          i > 0 && (sql[i - 1] == 'E' || sql[i - 1] == 'e') && (i < 2 || !is_ident_char(sql[i - 2]));
      end = quoted_end(sql, i, escape_string);
    } else if (c == '"') {
      end = quoted_end(sql, i, false);
    } else if (c == '-' && i + 1 < sql.size() && sql[i + 1] == '-') {
      end = sql.find('\n', i);
      if (end == std::string_view::npos) {
        // The statement ends in the comment: end the line, or the ';' joining the next one
        // would be commented out.
        out.append(sql.substr(i));
        out += '\n';
        break;
      }
      ++end;
    } else if (c == '/' && i + 1 < sql.size() && sql[i + 1] == '*') {
      end = block_comment_end(sql, i);
    } else if (c == ';' && mode.separator != nullptr) {
      *mode.separator = true;
    } else if (c == '$' && !after_ident && i + 1 < sql.size() && is_digit(sql[i + 1]) && mode.substitute) {
      std::size_t n = 0;
      end = i + 1;
      while (end < sql.size() && is_digit(sql[end])) {
        if (n <= literals.size()) {  // past every literal already; only the digits matter
          n = n * 10 + static_cast<std::size_t>(sql[end] - '0');
        }
        ++end;
      }
      if (n == 0 || n > literals.size()) {
        throw error(
            std::string(sql.substr(i, end - i)) + " has no argument (" + std::to_string(literals.size()) + " given)",
            sql);
      }
      out += literals[n - 1];
      used[n - 1] = true;
      i = end;
      continue;
    } else if (c == '$' && !after_ident) {
      if (const auto tag = dollar_tag(sql, i); !tag.empty()) {
        const auto close = sql.find(tag, i + tag.size());
        if (close == std::string_view::npos) {
          throw error("unterminated " + std::string(tag) + " quote", sql);
        }
        end = close + tag.size();
      }
    }
    out.append(sql.substr(i, end - i));
    i = end;
  }

  for (std::size_t n = 0; n < used.size(); ++n) {
    if (!used[n]) {
      throw error("argument " + std::to_string(n + 1) + " is not used", sql);
    }
  }
  return out;
}

}  // namespace

std::string bind_literals(std::string_view sql, std::span<const std::string> literals) {
  return scan(sql, {literals, true, nullptr});
}

bool has_statement_separator(std::string_view sql) {
  bool separator = false;
  scan(sql, {{}, false, &separator});
  return separator;
}

SqlBatch::SqlBatch(pqxx::transaction_base& tx, PreparedStatements* prepared)
    : tx_(tx), block_(dynamic_cast<pqxx::dbtransaction*>(&tx)), prepared_(block_ != nullptr ? prepared : nullptr) {}

SqlBatch::SqlBatch(pqxx::nontransaction& tx, PreparedStatements* prepared, OwnBlock /*unused*/)
    : tx_(tx), own_block_(true), prepared_(prepared) {}

const std::string* SqlBatch::prepared_name(std::string_view sql, std::size_t arguments) {
  if (own_block_ && !begun_) {
    return nullptr;  // no block yet to take a savepoint in: literal text
  }
  auto& names = prepared_->names_;
  if (const auto it = names.find(std::string(sql)); it != names.end()) {
    return it->second.empty() ? nullptr : &it->second;
  }
  // The same checks a literal rendering makes, before anything reaches the server.
  const std::vector<std::string> nulls(arguments, "NULL");
  bind_literals(sql, nulls);
  std::string name;
  if (!has_statement_separator(sql)) {
    // Unique in the process, so that a PreparedStatements started afresh on a connection that
    // already has some (as a replay's is) never collides with them.
    static std::atomic<std::uint64_t> next_name{0};
    name = "lf_sql_" + std::to_string(++next_name);
    // A savepoint of its own: a statement PostgreSQL cannot prepare (a parameter whose type it
    // cannot infer, say) must not abort the batch's transaction. Only a lost connection is
    // worth failing the batch for.
    try {
      if (own_block_) {
        tx_.exec("SAVEPOINT lf_prepare; PREPARE " + name + " AS " + std::string(sql) +
                 "; RELEASE SAVEPOINT lf_prepare");
      } else {
        pqxx::subtransaction savepoint(*block_, "lf_prepare");
        savepoint.exec("PREPARE " + name + " AS " + std::string(sql));
        savepoint.commit();
      }
      ++prepared_->prepared_;
    } catch (const pqxx::broken_connection&) {
      throw;
    } catch (const pqxx::sql_error&) {
      if (own_block_) {
        tx_.exec("ROLLBACK TO SAVEPOINT lf_prepare; RELEASE SAVEPOINT lf_prepare");
      }
      name.clear();
    }
  }
  if (name.empty()) {
    ++prepared_->unpreparable_;
  }
  const auto& stored = names.emplace(std::string(sql), std::move(name)).first->second;
  return stored.empty() ? nullptr : &stored;
}

std::string SqlBatch::execute_text(const std::string& name, std::span<const std::string> literals) {
  std::string text = "EXECUTE " + name + "(";
  for (std::size_t i = 0; i < literals.size(); ++i) {
    text += i == 0 ? "" : ", ";
    text += literals[i];
  }
  text += ")";
  return text;
}

std::string SqlBatch::quote(std::string_view text) const {
  if (text.empty()) {
    return "''";
  }
  // libpq's escaping for this connection's encoding and standard_conforming_strings.
  return "'" + tx_.esc(text.data(), text.size()) + "'";
}

void SqlBatch::append(std::string statement) {
  if (count_ == 0) {
    text_ = std::move(statement);
  } else {
    text_ += ";\n";
    text_ += statement;
  }
  ++count_;
}

std::string SqlBatch::take() {
  count_ = 0;
  return std::exchange(text_, std::string());
}

pqxx::result SqlBatch::flush() {
  if (empty()) {
    return {};
  }
  // A multi-statement string goes through the simple query protocol; libpq keeps the last
  // statement's result, and the first failing statement aborts the rest (and the transaction).
  auto result = tx_.exec(take());
  begun_ = own_block_;
  return result;
}

}  // namespace lf::projections

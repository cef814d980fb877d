// Reminder e-mail to a configured relay through libcurl's SMTP (RFC 5321): STARTTLS whenever the
// relay offers it (required with `require_tls`), the relay's certificate checked against the
// system's trust store (or `ca_file`), one deadline for the whole conversation. Messages name
// case ids and links only.
#pragma once

#include <chrono>
#include <string>

#include "storage/base/result.h"

namespace casetrail::adapters {

struct SmtpTarget {
  std::string host;
  uint16_t port = 25;
  std::string from;  // a functional address, e.g. casetrail@unit.example
  std::string to;    // a functional mailbox, never a person's private address
  bool require_tls = false;  // --smtp-require-tls: refuse to send unless STARTTLS succeeds
  std::string ca_file;       // --smtp-ca: trust this PEM file instead of the system's store
};

// Parses HOST:PORT. kInvalidArgument when malformed.
Result<SmtpTarget> ParseSmtpTarget(const std::string& host_port, std::string from, std::string to);

// Sends one plain-text message; `message_id` becomes the Message-ID (receivers dedupe on it).
// kUnavailable with the step that failed, also when the whole conversation
// (connect included) took longer than `timeout`: a relay that accepts and then says nothing
// must not hold the delivery thread.
Status SendMail(const SmtpTarget& target, const std::string& subject, const std::string& body,
                const std::string& message_id, std::chrono::seconds timeout = std::chrono::seconds(10));

}  // namespace casetrail::adapters

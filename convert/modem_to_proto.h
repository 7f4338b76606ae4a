// modem/'s parsed replies as v1 messages: the one conversion, used by the agent for each
// status sample and by the CLI's `decode`, so both print the same fields.
#ifndef CELLFLEET_CONVERT_MODEM_TO_PROTO_H_
#define CELLFLEET_CONVERT_MODEM_TO_PROTO_H_

#include "cellfleet/v1/modem_status.pb.h"
#include "modem/replies/identity.h"
#include "modem/replies/modem_snapshot.h"
#include "modem/replies/operator_selection.h"
#include "modem/replies/registration.h"
#include "modem/replies/serving_cell.h"
#include "modem/replies/signal_quality.h"
#include "modem/replies/sim_status.h"

namespace cellfleet::convert {

v1::SimState SimStateToProto(modem::SimState state);
void FillRegistration(const modem::RegistrationInfo& info, v1::Registration& out);
void FillOperator(const modem::OperatorSelection& cops, v1::Operator& out);
void FillSignal(const modem::CsqReading& reading, v1::SignalQuality& out);
void FillServingCell(const modem::ServingCellInfo& info, v1::ServingCell& out);
void FillIdentity(const modem::ModemIdentity& identity, v1::Identity& out);

// All of the above from one sample. The caller sets modem_state, at_port and connection.
void FillStatus(const modem::ModemSnapshot& snapshot, v1::ModemStatus& status);

}  // namespace cellfleet::convert

#endif  // CELLFLEET_CONVERT_MODEM_TO_PROTO_H_

/* b24-events.h: outbound event delivery and the offline queue.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "b24-emulator.h"

G_BEGIN_DECLS

B24Events *b24_events_new (B24Emu *emu);
void b24_events_free (B24Events *events);
/* Records @event for object @id: POSTs to online handlers, queues for offline bindings. */
void b24_events_emit (B24Call    *call,
                      const char *event,
                      gint64      id);
/* Online deliveries started and not yet finished, for tests that wait on them. */
/* The same with a given data[…] tree (taken), e.g. the tasks' FIELDS_BEFORE/FIELDS_AFTER. */
void b24_events_emit_data (B24Call    *call,
                           const char *event,
                           gint64      id,
                           JsonObject *data);
guint b24_events_pending (B24Events *events);
guint64 b24_events_delivered (B24Events *events);

G_END_DECLS

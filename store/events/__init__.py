"""Live inbox events: raised inside a transaction, published to Redis only after it commits.

A store function that changes what an owner's inbox shows calls `pending.announce` with a
`LiveEvent` (new_message, new_conversation, conversation_updated, notification). The event
waits on the session; when the transaction commits it becomes publishable, when it rolls
back it is dropped, so a browser is never told about a change that did not happen. The
commit boundaries (`store.db.session_scope`, the API's request session) then call
`pending.publish_committed`, which hands the events to the `EventPublisher` the
sessionmaker was configured with (`redis_log`): one Redis round trip appends each event to
its business's bounded stream (the replay history; stream ids are the events' ids) and
publishes it on the fan-out channel every API process listens to. See docs/inbox.md.
"""

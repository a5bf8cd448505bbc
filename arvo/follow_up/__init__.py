"""The follow-up of the steering cycle (docs/follow-up.md): over a span of steering periods
already in the warehouse, were the objectives met and the obligations kept, what did the
payment rules pay and do, how did the segments shift (`evaluate`, with the trend intervals
of `trends`), and what should the next definitions version change (`renewal`, written as a
draft by `draft`)."""

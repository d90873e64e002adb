"""`Store`: the database and its repositories, opened once per process."""

from __future__ import annotations

from simulator.storage.accounts import Accounts
from simulator.storage.attempts import Attempts
from simulator.storage.authoring import Authoring
from simulator.storage.coaching import Coaching
from simulator.storage.database import Database
from simulator.storage.exports import Exports
from simulator.storage.retention import Retention
from simulator.storage.reviews import Reviews
from simulator.storage.workshops import Workshops


class Store(Attempts):
    """Attempts and turns directly (`store.turns(…)`); the other records by kind."""

    def __init__(self, url: str) -> None:
        super().__init__(Database(url))
        self.engine = self.db.engine
        self.accounts = Accounts(self.db)
        self.coaching = Coaching(self.db)
        self.reviews = Reviews(self.db)
        self.workshops = Workshops(self.db)
        self.retention = Retention(self.db)
        self.exports = Exports(self.db)
        self.authoring = Authoring(self.db)

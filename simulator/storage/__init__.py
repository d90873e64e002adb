"""Everything Sparring keeps in its database: the tables (`models`), the schema's history
(`migrations`, run by `database.upgrade`), who may see what (`policy`), and one repository
per kind of record (`attempts`, `accounts`, `coaching`, `reviews`, `retention`).

Pages and commands never build queries themselves: they call a repository with the
`Viewer` acting, and the repository asks the policy."""

"""Finding and reading posts: the listing of the posts folder, front matter (YAML or
TOML, with line numbers), one reader per key (`keys`), generators' conventions as
data, template text in bodies. Everything a post's id and URL depend on is settled
here, so that problems are reported against the files that cause them."""

module nodetool

go 1.26

module crop
go 1.26

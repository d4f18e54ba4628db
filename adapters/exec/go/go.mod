module certpath/verify-go

go 1.19

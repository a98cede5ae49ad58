module github.com/oss-mock/conformance/drivers/go-v1

go 1.21.13

require github.com/aliyun/aliyun-oss-go-sdk v2.0.3+incompatible

require (
	github.com/baiyubin/aliyun-sts-go-sdk v0.0.0-20180326062324-cfa1a18b161f // indirect
	github.com/satori/go.uuid v1.2.0 // indirect
	golang.org/x/time v0.5.0 // indirect
	gopkg.in/check.v1 v1.0.0-20201130134442-10cb98267c6c // indirect
)
